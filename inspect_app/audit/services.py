"""Writing audit records. Every service that creates, changes or deletes data calls ``record``."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, (int, float, str, bool)):
        return value.value  # enums
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict, dict]:
    """The fields that changed, as (old values, new values)."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: _plain(old.get(k)) for k in keys}, {k: _plain(new[k]) for k in keys}


def record(
    action: str,
    entity: Any = None,
    *,
    by: Any,
    now: datetime,
    entity_type: str | None = None,
    entity_id: int | None = None,
    old: dict | None = None,
    new: dict | None = None,
    comment: str | None = None,
    ward_id: int | None = None,
    inspection_id: int | None = None,
    action_id: int | None = None,
) -> AuditEvent:
    """Add one audit event to the session (the caller commits).

    :param action: dotted verb, e.g. ``"finding.update"``.
    :param entity: the model instance concerned (its table name and id are recorded).
    :param by: the acting user, or None for the system (CLI, scheduled jobs).
    :param now: the time of the change.
    """
    if entity is not None:
        db.session.flush()  # the entity needs its id
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else entity.id
    event = AuditEvent(
        at=now,
        user_id=getattr(by, "id", None),
        user_name=getattr(by, "name", None) or ("system" if by is None else None),
        role=getattr(by, "role", None),
        action=action,
        entity_type=entity_type or "system",
        entity_id=entity_id,
        ward_id=ward_id,
        inspection_id=inspection_id,
        action_id=action_id,
        old=_plain(old) if old is not None else None,
        new=_plain(new) if new is not None else None,
        comment=comment,
    )
    db.session.add(event)
    return event
