"""The audit trail cannot be changed or deleted: an ORM guard everywhere, a trigger on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from inspect_app.audit.guard import AuditTamperError
from inspect_app.audit.models import AuditEvent
from inspect_app.audit.services import record
from inspect_app.clock import utcnow
from inspect_app.extensions import db
from tests.conftest import ON_POSTGRES


@pytest.fixture
def event(ctx):
    event = record("test.event", entity_type="system", by=None, now=utcnow(), comment="original")
    db.session.commit()
    return event


def test_new_events_are_written(event):
    assert db.session.scalar(select(AuditEvent.comment).where(AuditEvent.id == event.id)) == "original"


def test_changing_an_event_is_refused(event):
    event.comment = "rewritten"
    with pytest.raises(AuditTamperError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.comment).where(AuditEvent.id == event.id)) == "original"


def test_deleting_an_event_is_refused(event):
    db.session.delete(event)
    with pytest.raises(AuditTamperError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id) is not None


@pytest.mark.parametrize("statement", [
    update(AuditEvent).values(comment="bulk rewrite"),
    delete(AuditEvent),
], ids=["bulk-update", "bulk-delete"])
def test_bulk_statements_through_the_session_are_refused(event, statement):
    with pytest.raises(AuditTamperError, match="append-only"):
        db.session.execute(statement)
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.comment).where(AuditEvent.id == event.id)) == "original"


def test_other_tables_are_unaffected(ctx, make_user):
    user = make_user()
    user.name = "Renamed"
    db.session.commit()  # the guard looks only at audit events


def test_no_code_path_updates_or_deletes_audit_events():
    """Static check: nothing in the app builds an UPDATE/DELETE on AuditEvent or calls delete on one."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "inspect_app"
    offenders = []
    for path in root.rglob("*.py"):
        source = path.read_text()
        for needle in ("update(AuditEvent", "delete(AuditEvent", "UPDATE audit_event", "DELETE FROM audit_event"):
            if needle in source and path.name != "guard.py":
                offenders.append(f"{path.relative_to(root)}: {needle}")
    assert offenders == []


@pytest.mark.parametrize("sql", [
    "UPDATE audit_event SET comment = 'raw rewrite'",
    "DELETE FROM audit_event",
], ids=["raw-update", "raw-delete"])
def test_raw_sql_is_refused_on_postgres_and_left_to_the_orm_guard_on_sqlite(event, sql):
    """PostgreSQL: the 0004 trigger refuses raw UPDATE/DELETE. SQLite (development only) has no
    trigger; there the ORM guard above is the protection, and this checks no half-made trigger exists."""
    if ON_POSTGRES:
        with db.engine.connect() as conn:
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(sql))
            conn.rollback()
        assert db.session.scalar(select(AuditEvent.comment).where(AuditEvent.id == event.id)) == "original"
    else:
        triggers = db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
        assert "audit_event_append_only" not in triggers
        with pytest.raises(AuditTamperError):
            db.session.execute(update(AuditEvent).values(comment="raw rewrite") if sql.startswith("UPDATE")
                               else delete(AuditEvent))
        db.session.rollback()
