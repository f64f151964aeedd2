"""The grading migration carries existing data forward: grades keep their recorded band and a
free-text interim control becomes type "other" (its downgrade, then its upgrade, run on data)."""
from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from inspect_app.actions import transitions
from inspect_app.clock import utcnow
from inspect_app.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
VERSIONS = MIGRATIONS / "versions"


def _migration():
    path = next(VERSIONS.glob("*_grading.py"))
    spec = importlib.util.spec_from_file_location("grading_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(step) -> None:
    """Run one migration function on the app's database as ``flask db`` would (batch mode; on
    SQLite with foreign-key enforcement off while tables are rebuilt, as migrations/env.py does)."""
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin(), Operations.context(MigrationContext.configure(connection, opts={"render_as_batch": True})):
            step()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def test_existing_grades_keep_their_band_and_free_text_controls_become_other(make_action, people):
    action = make_action(likelihood=2, consequence=3, room="Day room")  # unanswered load-bearing: High now
    now = utcnow()
    transitions.transition(action, "interim_control", by=people["ward_manager"], now=now, fields={
        "control": "Bedroom locked", "control_by": "Charge nurse", "review_date": now.date() + timedelta(days=5)})
    db.session.commit()
    action_id, band = action.id, action.finding.band
    db.session.remove()
    migration = _migration()
    downgrade(directory=str(MIGRATIONS), revision=migration.revision)  # later migrations first (0011's
    # indexes name columns this downgrade drops), as a real downgrade would
    _run(migration.downgrade)
    _run(migration.upgrade)
    upgrade(directory=str(MIGRATIONS), revision="heads")
    row = db.session.execute(text("SELECT a.interim_control, a.interim_control_type, f.band, g.band "
                                  "FROM action a JOIN finding f ON f.id = a.finding_id "
                                  "JOIN finding_grade g ON g.finding_id = f.id WHERE a.id = :id"),
                             {"id": action_id}).one()
    assert row == ("Bedroom locked", "other", band, band)
