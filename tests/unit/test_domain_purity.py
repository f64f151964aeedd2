"""The domain package stays pure: standard library only, no clock reads, documented.

Modules are parsed with ``ast`` rather than imported, because importing ``inspect_app.domain``
runs ``inspect_app/__init__.py`` (which imports Flask) and would prove nothing.
"""
import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "inspect_app" / "domain"
MODULES = sorted(DOMAIN.glob("*.py"))
BANNED = ("flask", "sqlalchemy", "PIL", "werkzeug")
# Reading the clock inside a rule makes it untestable; callers pass ``now=`` instead.
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic", "perf_counter", "time_ns"}


def imported_roots(tree: ast.AST) -> list[str]:
    """Top-level names of absolute imports; relative imports stay inside the package."""
    roots = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.append(node.module)
    return roots


def banned_imports(source: str) -> list[str]:
    return [name for name in imported_roots(ast.parse(source))
            if name.split(".")[0] in BANNED or name.startswith("flask_")]


def non_stdlib_imports(source: str) -> list[str]:
    return [name for name in imported_roots(ast.parse(source))
            if name.split(".")[0] not in sys.stdlib_module_names
            and not name.startswith("inspect_app.domain")]


def clock_reads(source: str) -> list[str]:
    return [node.func.attr for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLOCK_CALLS]


def undocumented_public_functions(source: str) -> list[str]:
    """Public module-level functions and methods with parameters but no ``:param``."""
    missing = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        if any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list):
            continue
        params = [a.arg for a in node.args.args + node.args.kwonlyargs
                  if a.arg not in ("self", "cls")]
        if params and ":param" not in (ast.get_docstring(node) or ""):
            missing.append(node.name)
    return missing


def test_the_domain_package_has_modules_to_check():
    assert {"risk.py", "workflow.py", "checklist.py", "__init__.py"} <= {m.name for m in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_module_imports_no_framework(path):
    assert banned_imports(path.read_text()) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_module_imports_only_the_standard_library(path):
    assert non_stdlib_imports(path.read_text()) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_module_never_reads_the_clock(path):
    assert clock_reads(path.read_text()) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_domain_module_has_a_docstring_and_documents_its_parameters(path):
    source = path.read_text()
    assert ast.get_docstring(ast.parse(source))
    assert undocumented_public_functions(source) == []


@pytest.mark.parametrize("source, banned", [
    ("import flask", ["flask"]),
    ("from flask import current_app", ["flask"]),
    ("import flask_login", ["flask_login"]),
    ("from flask_wtf.csrf import CSRFProtect", ["flask_wtf.csrf"]),
    ("import sqlalchemy.orm as orm", ["sqlalchemy.orm"]),
    ("from PIL import Image", ["PIL"]),
    ("from werkzeug.exceptions import NotFound", ["werkzeug.exceptions"]),
    ("def f():\n    import flask\n", ["flask"]),
    ("import json, flask", ["flask"]),
    ("from . import risk\nfrom .bands import Band\nimport dataclasses", []),
    ("import flasky", []),
])
def test_the_import_check_catches_framework_imports_anywhere(source, banned):
    assert banned_imports(source) == banned


@pytest.mark.parametrize("source, found", [
    ("import requests", ["requests"]),
    ("from inspect_app.extensions import db", ["inspect_app.extensions"]),
    ("from inspect_app.domain.risk import Band\nimport enum", []),
])
def test_the_stdlib_check_catches_third_party_and_app_imports(source, found):
    assert non_stdlib_imports(source) == found


@pytest.mark.parametrize("source, found", [
    ("datetime.now()", ["now"]), ("datetime.datetime.utcnow()", ["utcnow"]),
    ("date.today()", ["today"]), ("time.time()", ["time"]),
    ("identified_at + timedelta(hours=1)", []),
])
def test_the_clock_check_catches_clock_reads(source, found):
    assert clock_reads(source) == found


@pytest.mark.parametrize("source, found", [
    ('def grade(x):\n    """Grade."""\n', ["grade"]),
    ('def grade(x):\n    """Grade.\n\n    :param x: a score.\n    """\n', []),
    ("def _helper(x):\n    pass\n", []),
    ('class A:\n    @property\n    def label(self):\n        return ""\n', []),
])
def test_the_docstring_check_catches_undocumented_parameters(source, found):
    assert undocumented_public_functions(source) == found
