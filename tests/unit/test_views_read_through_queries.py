"""Views do not read the database themselves (issue 18): their reads are named functions of the
feature's query modules. Checked on the source of every view module of the app (``views.py`` and
``*_views.py`` in any package), so a new feature's views are covered as they are written."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import inspect_app

ROOT = Path(inspect_app.__file__).parent
VIEW_MODULES = sorted(path for path in ROOT.rglob("*.py") if path.stem == "views" or path.stem.endswith("_views"))


def direct_reads(source: str) -> list[str]:
    """What in ``source`` reads the database directly: ``db.session``, ``Model.query``, SQLAlchemy imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "session" and isinstance(node.value, ast.Name) \
                and node.value.id == "db":
            found.append(f"line {node.lineno}: db.session")
        elif isinstance(node, ast.Attribute) and node.attr == "query" and isinstance(node.value, ast.Name) \
                and node.value.id[:1].isupper():
            found.append(f"line {node.lineno}: {node.value.id}.query")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "sqlalchemy" for alias in node.names):
            found.append(f"line {node.lineno}: import sqlalchemy")
    return found


def test_the_check_finds_each_kind_of_direct_read():
    source = ("from sqlalchemy import select\nimport sqlalchemy.orm\n"
              "def view():\n    db.session.get(User, 1)\n    return Ward.query.all()\n")
    assert sorted(direct_reads(source)) == ["line 1: from sqlalchemy import ...", "line 2: import sqlalchemy",
                                            "line 4: db.session", "line 5: Ward.query"]
    assert direct_reads("def view(filters):\n    return filters.query(band='high')\n") == []


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_view_module_reads_through_queries(path):
    assert direct_reads(path.read_text()) == []


def test_every_feature_s_views_are_checked():
    assert {path.parent.name for path in VIEW_MODULES} >= {"actions", "alerts", "auth", "checklists", "estates",
                                                          "history", "incidents", "inspections", "learning",
                                                          "plans", "briefings", "reports", "home"}
