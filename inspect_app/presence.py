"""Which optional features have anything to show, asked in one statement per request.

Product checks, trust-wide check tasks, floor plans and incidents each add a panel to pages that
most wards show empty (a trust may not use the feature at all); asking each panel's own query
costs a statement apiece on every view. A feature registers a cheap existence test here (when its
views module is imported); the first panel that asks runs every registered test in one
``SELECT EXISTS(...), EXISTS(...)`` and the answers are kept for the request (``flask.g``), never
longer: a panel whose test says "some" runs its own query as before, so nothing shown can be stale.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import g, has_request_context
from sqlalchemy import Select, exists, select

from inspect_app.extensions import db

_TESTS: dict[str, Callable[[], Select]] = {}


def register(name: str, rows: Callable[[], Select]) -> None:
    """``rows()`` builds a SELECT whose rows, if any, mean the feature has something to show."""
    _TESTS[name] = rows


def names() -> list[str]:
    return sorted(_TESTS)


def columns() -> list:
    """Every registered test as a labelled ``EXISTS`` column, in :func:`names` order: a page's first
    statement may carry them (then :func:`keep` the values) and save the separate statement."""
    return [exists(_TESTS[name]()).label(f"presence_{name}") for name in names()]


def keep(asked: list[str], values) -> None:
    """The answers to the tests ``asked`` (as :func:`names` gave them), read by another statement
    of this request."""
    g._presence = {name: bool(value) for name, value in zip(asked, values, strict=True)}


def _answers() -> dict[str, bool]:
    asked = names()
    row = db.session.execute(select(*columns())).one()
    return {name: bool(value) for name, value in zip(asked, row, strict=True)}


def any_rows(name: str) -> bool:
    """Whether the feature ``name`` has any rows now (asked once per request for every feature)."""
    if name not in _TESTS:
        raise KeyError(f"no presence test registered as {name!r}")
    if not has_request_context():
        return bool(_answers()[name])
    if "_presence" not in g or name not in g._presence:  # a statement built before the test was registered
        g._presence = {**g.get("_presence", {}), **_answers()}
    return g._presence[name]
