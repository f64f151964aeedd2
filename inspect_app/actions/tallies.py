"""The maintained counts the dashboard reads instead of action rows, kept on every flush.

Three tables (models ``ClosedTally``, ``LiveTally``, ``DueTally``) count actions per bucket: finished
ones per ward, month of finishing, status, band and grade cell; the others per ward, status, band and
grade cell; and open ones per the same and target date (overdue = due before today). An action is in
at most one bucket of each table, named by its key there (or None: not counted in that table).

One listener keeps them: after each ORM flush it compares every added, changed or deleted action's
key before and after (the columns they are keyed by load the value they replace, ``active_history``)
and moves the counts by one ``INSERT ... ON CONFLICT DO UPDATE`` per bucket changed, on the flush's
own connection, so the counts commit or roll back with the change itself, and two actions moved at
once into the same bucket both count. Every path that writes actions through the ORM (services,
the sync API, imports, CLI commands, the demo) is covered without calling anything; a path writing
SQL itself (``demo/history.py``'s bulk inserts) calls :func:`rebuild` after it. A test replays
grading, re-grading, closing, re-opening, accepting, cancelling and withdrawing and compares the
tables with :func:`recount`.

The same flush moves each changed ward's marker in ``tally_version`` (a rebuild moves scope 0), so
:func:`cached` can keep the rows of a statement over these counts in the process until the marker
moves or the date changes: the dashboard and home pages then read one small row instead of
aggregating the counts on every view. A flush that changes the ward list the dashboard shows (a ward
or site added, renamed or switched off, an inspection started, signed off or corrected, a checklist
version published) moves scope ``WARD_LIST`` too, so the dashboard keeps that list the same way.
"""
from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from datetime import date, datetime

from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from inspect_app.actions.models import Action, ClosedTally, DueTally, LiveTally, TallyVersion
from inspect_app.checklists.models import ChecklistTemplate
from inspect_app.domain.workflow import OPEN_STATUSES, TERMINAL
from inspect_app.estates.models import Site, Ward
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection

FINISHED = frozenset(status.value for status in TERMINAL)
OPEN = frozenset(status.value for status in OPEN_STATUSES)
FIELDS = ("ward_id", "status", "band", "likelihood", "consequence", "target_date", "closed_at", "updated_at")
Key = tuple


def month_of(at: datetime | date) -> date:
    return date(at.year, at.month, 1)


def _cell(v: dict) -> tuple:
    return v["band"], v["likelihood"] or 0, v["consequence"] or 0


def closed_key(v: dict) -> Key | None:
    """(ward, month of finishing, status, band, likelihood, consequence) of a finished action."""
    if v["status"] not in FINISHED:
        return None
    return (v["ward_id"], month_of(v["closed_at"] or v["updated_at"]), v["status"], *_cell(v))


def live_key(v: dict) -> Key | None:
    """(ward, status, band, likelihood, consequence) of an action not finished."""
    return None if v["status"] in FINISHED else (v["ward_id"], v["status"], *_cell(v))


def due_key(v: dict) -> Key | None:
    """(ward, status, band, likelihood, consequence, target date) of an open action."""
    return (v["ward_id"], v["status"], *_cell(v), v["target_date"]) if v["status"] in OPEN else None


# table -> (its key columns in key order, the key of an action's values)
TALLIES: dict[type, tuple[tuple[str, ...], Callable[[dict], Key | None]]] = {
    ClosedTally: (("ward_id", "month", "status", "band", "likelihood", "consequence"), closed_key),
    LiveTally: (("ward_id", "status", "band", "likelihood", "consequence"), live_key),
    DueTally: (("ward_id", "status", "band", "likelihood", "consequence", "target_date"), due_key),
}


def _now(action: Action) -> dict:
    return {name: getattr(action, name) for name in FIELDS}


def _before(action: Action) -> dict:
    """The action's key columns as they were before this flush's changes."""
    state, out = inspect(action), {}
    for name in FIELDS:
        history = state.attrs[name].history
        if history.added:  # changed: the value it replaced (None is recorded as no deleted value)
            out[name] = history.deleted[0] if history.deleted else None
        else:
            out[name] = getattr(action, name)
    return out


def _move(delta: Counter, before: dict | None, after: dict | None) -> None:
    for model, (_columns, key_of) in TALLIES.items():
        old, new = key_of(before) if before else None, key_of(after) if after else None
        if old != new:
            if old is not None:
                delta[(model, old)] -= 1
            if new is not None:
                delta[(model, new)] += 1


def _actions(objects: Iterable) -> list[Action]:
    return [obj for obj in objects if isinstance(obj, Action)]


def _load_deleted(session: Session, _flush_context, _instances) -> None:
    """Load the key columns of actions about to be deleted (after the flush their row is gone)."""
    for action in _actions(session.deleted):
        _now(action)


def _after_flush(session: Session, _flush_context) -> None:
    delta: Counter = Counter()
    for action in _actions(session.new):
        _move(delta, None, _now(action))
    for action in _actions(session.dirty):
        _move(delta, _before(action), _now(action))
    for action in _actions(session.deleted):
        _move(delta, _before(action), None)
    # in one order in every transaction: two flushes moving actions between the same buckets in
    # opposite directions then wait for each other instead of deadlocking (PostgreSQL row locks)
    changes = sorted(((model, key, n) for (model, key), n in delta.items() if n),
                     key=lambda change: (change[0].__tablename__, [str(part) for part in change[1]]))
    if changes:
        _add(session.connection(), changes)
    if _ward_list_changed(session):
        _move_markers(session.connection(), [WARD_LIST])


WARD_LIST = -1  # the marker scope of the dashboard's ward list (counts use ward ids, and 0 for a rebuild)
# What an inspection contributes to that list: its ward's last signed-off assessment and its checklist.
_INSPECTION_FIELDS = ("ward_id", "status", "signed_off_at", "template_id", "inspection_type")


def _ward_list_changed(session: Session) -> bool:
    """Whether the flush added, changed or removed a ward, site or checklist version, or an inspection's
    ward, status, sign-off, type or checklist (the rows ``counts.dashboard_wards`` reads)."""
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, (Ward, Site, ChecklistTemplate, Inspection)):
            return True
    for obj in session.dirty:
        if isinstance(obj, (Ward, Site, ChecklistTemplate)) and session.is_modified(obj):
            return True
        if isinstance(obj, Inspection):
            attrs = inspect(obj).attrs
            if any(attrs[name].history.has_changes() for name in _INSPECTION_FIELDS):
                return True
    return False


def _add(connection, changes: list[tuple[type, Key, int]]) -> None:
    _move_markers(connection, sorted({key[0] for _model, key, _n in changes}))
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for model, key, n in changes:
        table, columns = model.__table__, TALLIES[model][0]
        insert = dialect.insert(table).values(**dict(zip(columns, key, strict=False)), n=n)
        connection.execute(insert.on_conflict_do_update(index_elements=list(columns),
                                                        set_={"n": table.c.n + insert.excluded.n}))


def _move_markers(connection, scopes: Iterable[int]) -> None:
    """Add a random amount to each scope's marker (ward id; 0 for a rebuild), before the counts
    themselves and in ward order: two flushes on one ward queue on its marker, not on each other's
    counts. Random, not +1: a database restored from a backup never comes back to a marker a
    running process has seen with other counts (the chance is one in 2**31 per change)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = TallyVersion.__table__
    for scope in scopes:
        insert = dialect.insert(table).values(scope=scope, n=1 + secrets.randbelow(2**31))
        connection.execute(insert.on_conflict_do_update(index_elements=["scope"],
                                                        set_={"n": table.c.n + insert.excluded.n}))


def marker() -> int:
    """The counts' marker now: the sum over every scope (one small statement)."""
    return db.session.scalar(select(func.coalesce(func.sum(TallyVersion.n), 0)))


MARKER = select(func.coalesce(func.sum(TallyVersion.n), 0)).scalar_subquery()  # as a column of another statement
_CACHE: dict[Hashable, list] = {}
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 64


def cached(mark: int, key: Hashable, rows: Callable[[], list]) -> list:
    """``rows()`` (a statement over the maintained counts) as read at marker ``mark``, kept in this
    process. ``key`` must hold everything else the rows depend on (the date, the wards, the
    filters). ``mark`` is read by the caller before ``rows()`` runs, so what is kept under a marker
    is never older than it: a later change moves the marker and the next request reads afresh."""
    full = (str(db.engine.url), mark, key)
    with _CACHE_LOCK:
        hit = _CACHE.get(full)
    if hit is not None:
        return hit
    value = list(rows())
    with _CACHE_LOCK:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.clear()
        _CACHE[full] = value
    return value


def install() -> None:
    """Listen on every Session (idempotent, so repeated app creation in tests is harmless)."""
    for name, listener in (("before_flush", _load_deleted), ("after_flush", _after_flush)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def recount() -> dict[type, dict[Key, int]]:
    """Every table's counts from the action table itself (non-zero buckets), for tests and repairs."""
    out: dict[type, dict[Key, int]] = {model: {} for model in TALLIES}
    for row in db.session.execute(select(*(getattr(Action, name) for name in FIELDS))):
        values = dict(zip(FIELDS, row, strict=False))
        for model, (_columns, key_of) in TALLIES.items():
            key = key_of(values)
            if key is not None:
                out[model][key] = out[model].get(key, 0) + 1
    return out


def stored() -> dict[type, dict[Key, int]]:
    """The maintained counts (non-zero buckets), keyed as :func:`recount` keys them."""
    out = {}
    for model, (columns, _key_of) in TALLIES.items():
        rows = db.session.execute(select(*(getattr(model, c) for c in columns), model.n).where(model.n != 0))
        out[model] = {tuple(row[:-1]): row[-1] for row in rows}
    return out


def rebuild_sql(dialect: str) -> dict[type, str]:
    """The SQL that fills each table from the action table (also what migration 0011 runs)."""
    at = "COALESCE(closed_at, updated_at)"
    month = (f"CAST(date_trunc('month', {at}) AS date)" if dialect == "postgresql"
             else f"date({at}, 'start of month')")
    finished = ", ".join(f"'{v}'" for v in sorted(FINISHED))
    opened = ", ".join(f"'{v}'" for v in sorted(OPEN))
    cell = "band, COALESCE(likelihood, 0), COALESCE(consequence, 0)"
    return {
        ClosedTally: "INSERT INTO closed_tally (ward_id, month, status, band, likelihood, consequence, n) "
                     f"SELECT ward_id, {month}, status, {cell}, COUNT(*) FROM action WHERE status IN ({finished}) "
                     f"GROUP BY ward_id, {month}, status, {cell}",
        LiveTally: "INSERT INTO live_tally (ward_id, status, band, likelihood, consequence, n) "
                   f"SELECT ward_id, status, {cell}, COUNT(*) FROM action WHERE status NOT IN ({finished}) "
                   f"GROUP BY ward_id, status, {cell}",
        DueTally: "INSERT INTO due_tally (ward_id, status, band, likelihood, consequence, target_date, n) "
                  f"SELECT ward_id, status, {cell}, target_date, COUNT(*) FROM action WHERE status IN ({opened}) "
                  f"GROUP BY ward_id, status, {cell}, target_date",
    }


def rebuild(models: Iterable[type] = tuple(TALLIES)) -> None:
    """Replace the counts of ``models`` (all three by default) with a full recount, after actions
    were written in bulk by SQL."""
    statements = rebuild_sql(db.session.get_bind().dialect.name)
    _move_markers(db.session.connection(), [0])
    for model in models:
        db.session.execute(model.__table__.delete())
        db.session.execute(text(statements[model]))
