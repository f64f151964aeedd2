"""The audit trail is append-only: refuse any ORM update or delete of an AuditEvent.

Two doors are closed here: a flush carrying a changed or deleted AuditEvent, and a bulk
``update(AuditEvent)`` / ``delete(AuditEvent)`` statement run through the session. On
PostgreSQL a trigger (migration ``0004_audit_guard``) also refuses raw SQL UPDATE and DELETE.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from inspect_app.audit.models import AuditEvent


class AuditTamperError(RuntimeError):
    """Someone tried to change or remove an audit record."""


def _refuse_changed_events(session: Session, _flush_context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTamperError(f"Audit event {obj.id} cannot be deleted: the audit trail is append-only.")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj, include_collections=False):
            raise AuditTamperError(f"Audit event {obj.id} cannot be changed: the audit trail is append-only.")


def _refuse_bulk_statements(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEvent for m in state.all_mappers):
        raise AuditTamperError("Bulk UPDATE or DELETE of audit events is refused: the audit trail is append-only.")


def install() -> None:
    """Listen on every Session (idempotent, so repeated app creation in tests is harmless)."""
    if not event.contains(Session, "before_flush", _refuse_changed_events):
        event.listen(Session, "before_flush", _refuse_changed_events)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk_statements):
        event.listen(Session, "do_orm_execute", _refuse_bulk_statements)
