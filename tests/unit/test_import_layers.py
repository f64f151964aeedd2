"""Layers inside every feature, for the module names import-linter's wildcards cannot match.

import-linter (pyproject.toml, ``make lint``) checks ``*.views``, ``*.services``, ``*.queries`` and
``*.models``; a view module split by sub-area is named ``*_views`` and a reaction module
``reactions``, which a wildcard cannot express. Transport (views, CLI) and reactions sit on top:
nothing below them may import them.
"""
import grimp
import pytest

#: Services split out of a feature's ``services.py`` into modules named for their use cases.
NAMED_SERVICES = ("answering", "signing", "transitions", "editing", "withdrawal", "product_checks", "point_photos")


def _layer(module: str) -> int | None:
    last = module.rsplit(".", 1)[-1]
    if last in ("views", "cli", "reactions") or last.endswith("_views"):
        return 2
    if last in ("services", "queries") or last in NAMED_SERVICES:
        return 1
    if last == "models":
        return 0
    return None


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("inspect_app", exclude_type_checking_imports=True, cache_dir=None)


def test_no_layer_imports_the_one_above_it(graph):
    upward = [(module, imported) for module in sorted(graph.modules) if _layer(module) is not None
              for imported in sorted(graph.find_modules_directly_imported_by(module))
              if _layer(imported) is not None and _layer(imported) > _layer(module)]
    assert upward == []


def test_the_layers_are_found():
    assert _layer("inspect_app.actions.register_views") == 2
    assert _layer("inspect_app.actions.reactions") == 2
    assert _layer("inspect_app.findings.services") == 1
    assert _layer("inspect_app.actions.transitions") == 1
    assert _layer("inspect_app.auth.models") == 0
