"""Read-only lookups for the audit trail screens: filter choices, one page of events, the CSV stream."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Row, func, select

from inspect_app.actions.models import Action
from inspect_app.audit.models import AuditEvent
from inspect_app.audit.queries import AuditFilter, events
from inspect_app.auth.models import User
from inspect_app.estates.models import Ward
from inspect_app.extensions import db


def ward_names() -> dict[int, str]:
    """``{ward id: name}`` over every ward (inactive ones too: old events name them)."""
    return dict(db.session.execute(select(Ward.id, Ward.name)).all())


def users_by_name() -> list[Row[tuple[int, str]]]:
    """``(id, name)`` of every account, by name, for the "who" filter."""
    return list(db.session.execute(select(User.id, User.name).order_by(User.name)))


def event_page(audit_filter: AuditFilter, *, page: int, size: int) -> tuple[int, list[AuditEvent]]:
    """How many events match ``audit_filter``, and the ``page``-th (from 1) ``size`` of them."""
    total = db.session.scalar(select(func.count()).select_from(events(audit_filter).subquery())) or 0
    rows = list(db.session.scalars(events(audit_filter).limit(size).offset((page - 1) * size)))
    return total, rows


def stream_events(audit_filter: AuditFilter) -> Iterator[Row]:
    """Every matching event's row, read in batches on its own connection (the request's session may be
    torn down while a streamed response is still being sent)."""
    query = events(audit_filter)
    with db.engine.connect() as conn:
        yield from conn.execution_options(yield_per=500).execute(query)


def get_action(action_id: int) -> Action | None:
    """The action with this id, or None (audit readers see the whole trust)."""
    return db.session.get(Action, action_id)
