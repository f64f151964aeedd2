"""The maintained counts of finished actions (:class:`ClosedTally`): one place that moves them, and
a full recount to check them against.

Every service that sets an action's status calls :func:`moved` with the status and closing date it
had before; a move into a finished status adds the action to its month's count, a move out of one
takes it away (nothing re-opens a finished action today, but the count stays right if a path ever
does). The change is one ``INSERT ... ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL), so two
actions closed at once in the same bucket both count.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite

from inspect_app.actions.models import Action, ClosedTally
from inspect_app.domain.workflow import TERMINAL
from inspect_app.extensions import db

FINISHED = frozenset(status.value for status in TERMINAL)
_KEY = ("ward_id", "month", "status", "band", "likelihood", "consequence")


def month_of(at: datetime | date) -> date:
    return date(at.year, at.month, 1)


def _bucket(action: Action, status: str, closed_at: datetime) -> dict:
    return {"ward_id": action.ward_id, "month": month_of(closed_at), "status": status, "band": action.band,
            "likelihood": action.likelihood or 0, "consequence": action.consequence or 0}


def _add(key: dict, n: int) -> None:
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(ClosedTally).values(**key, n=n)
    db.session.execute(insert.on_conflict_do_update(index_elements=list(_KEY),
                                                    set_={"n": ClosedTally.n + insert.excluded.n}))


def moved(action: Action, *, old_status: str, old_closed_at: datetime | None, old_band: str | None = None) -> None:
    """Bring the counts up to date after ``action``'s status changed from ``old_status``.

    :param old_closed_at: the closing date the action had before the move (None if not finished).
    :param old_band: its band before the move, when the same change moved the band too.
    """
    was, now_finished = old_status in FINISHED, action.status in FINISHED
    if was:
        before = _bucket(action, old_status, old_closed_at or action.updated_at)
        if old_band is not None:
            before["band"] = old_band
        _add(before, -1)
    if now_finished:
        _add(_bucket(action, action.status, action.closed_at or action.updated_at), 1)


def recount() -> dict[tuple, int]:
    """The counts from the action table itself (non-zero buckets), for tests and repairs."""
    rows = db.session.execute(select(Action.ward_id, Action.closed_at, Action.updated_at, Action.status,
                                     Action.band, Action.likelihood, Action.consequence)
                              .where(Action.status.in_(sorted(FINISHED)))).all()
    out: dict[tuple, int] = {}
    for ward_id, closed_at, updated_at, status, band, likelihood, consequence in rows:
        key = (ward_id, month_of(closed_at or updated_at), status, band, likelihood or 0, consequence or 0)
        out[key] = out.get(key, 0) + 1
    return out


def stored() -> dict[tuple, int]:
    """The maintained counts (non-zero buckets), keyed as :func:`recount` keys them."""
    rows = db.session.execute(select(*(getattr(ClosedTally, k) for k in _KEY), ClosedTally.n)
                              .where(ClosedTally.n != 0)).all()
    return {tuple(row[:-1]): row[-1] for row in rows}


def rebuild_sql(dialect: str) -> str:
    """The SQL that fills the counts from the action table (also what the migration runs)."""
    at = "COALESCE(closed_at, updated_at)"
    month = (f"CAST(date_trunc('month', {at}) AS date)" if dialect == "postgresql"
             else f"date({at}, 'start of month')")
    finished = ", ".join(f"'{v}'" for v in sorted(FINISHED))
    return ("INSERT INTO closed_tally (ward_id, month, status, band, likelihood, consequence, n) "
            f"SELECT ward_id, {month}, status, band, COALESCE(likelihood, 0), COALESCE(consequence, 0), COUNT(*) "
            f"FROM action WHERE status IN ({finished}) "
            f"GROUP BY ward_id, {month}, status, band, COALESCE(likelihood, 0), COALESCE(consequence, 0)")


def rebuild() -> None:
    """Replace the counts with a full recount in one statement (after history inserted in bulk)."""
    db.session.execute(ClosedTally.__table__.delete())
    db.session.execute(text(rebuild_sql(db.session.get_bind().dialect.name)))
