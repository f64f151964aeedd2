"""Migration 0011 builds the dashboard's counts (closed, live, due) from the actions already
recorded (its downgrade, then its upgrade, run on data; SQLite batch mode and PostgreSQL)."""
from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations

from inspect_app.actions import tallies, transitions
from inspect_app.clock import utcnow
from inspect_app.extensions import db

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def _migration():
    path = next(VERSIONS.glob("0011_tallies.py"))
    spec = importlib.util.spec_from_file_location("tallies_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(step) -> None:
    """Run one migration function as ``flask db`` would (batch mode; SQLite foreign keys off)."""
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin(), \
                Operations.context(MigrationContext.configure(connection, opts={"render_as_batch": True})):
            step()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def test_existing_actions_are_counted_by_the_migration(make_action, people):
    now = utcnow()
    earlier = now - timedelta(days=70)
    for when, room in ((now, "Day room"), (earlier, "Bedroom 1")):
        action = make_action(room=room, now=when)
        action.status = "verified"
        db.session.flush()
        transitions.transition(action, "closed", by=people["ward_manager"], now=when)
    make_action(room="Quiet room").status = "cancelled"  # cancelled before closing dates were set
    make_action(ward="Hazel Ward", likelihood=3, consequence=4, room="Day room", now=earlier)  # open, overdue
    make_action(ward="Hazel Ward", likelihood=2, consequence=3, room="Bedroom 1")  # open, not due
    db.session.commit()
    expected = tallies.recount()
    assert [sum(counts.values()) for counts in expected.values()] == [3, 2, 2]
    db.session.remove()
    migration = _migration()
    _run(migration.downgrade)
    _run(migration.upgrade)
    assert tallies.stored() == expected
