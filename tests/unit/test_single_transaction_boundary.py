"""Only ``inspect_app/transaction.py`` ends a transaction: nothing else calls ``commit()``,
``rollback()`` or opens a savepoint (services flush; views, the API, CLI commands and the
mailer go through the transaction module's words: ``transaction.rollback()`` is allowed)."""
from __future__ import annotations

import ast
from pathlib import Path

import inspect_app

PACKAGE = Path(inspect_app.__file__).parent
BOUNDARY = PACKAGE / "transaction.py"
ENDINGS = {"commit", "rollback", "begin_nested", "begin"}


def _endings(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}()"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ENDINGS
            and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "transaction")]


def test_no_module_but_the_transaction_module_commits_or_rolls_back():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) if path != BOUNDARY for hit in _endings(path)]
    assert found == []


def test_the_check_sees_a_hand_written_commit(tmp_path):
    sample = tmp_path / "inspect_app" / "views.py"
    sample.parent.mkdir()
    sample.write_text("def view():\n    db.session.commit()\n    session.rollback()\n    transaction.rollback()\n",
                      encoding="utf-8")
    hits = [hit.split(" ", 1)[1] for hit in _endings(sample, tmp_path)]
    assert hits == [".commit()", ".rollback()"]

