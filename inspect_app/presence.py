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


def _answers() -> dict[str, bool]:
    names = sorted(_TESTS)
    row = db.session.execute(select(*(exists(_TESTS[name]()).label(name) for name in names))).one()
    return {name: bool(value) for name, value in zip(names, row, strict=True)}


def any_rows(name: str) -> bool:
    """Whether the feature ``name`` has any rows now (asked once per request for every feature)."""
    if name not in _TESTS:
        raise KeyError(f"no presence test registered as {name!r}")
    if not has_request_context():
        return bool(_answers()[name])
    if "_presence" not in g:
        g._presence = _answers()
    return g._presence[name]
