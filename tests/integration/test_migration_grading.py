"""The grading migration carries existing data forward: grades keep their recorded band and a
free-text interim control becomes type "other" (down to the revision before it, then up again)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from inspect_app.actions import services as actions
from inspect_app.clock import utcnow
from inspect_app.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def _before_grading() -> str:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    script = next(s for s in ScriptDirectory.from_config(config).walk_revisions() if s.revision.endswith("_grading"))
    return script.down_revision


def test_existing_grades_keep_their_band_and_free_text_controls_become_other(make_action, people):
    action = make_action(likelihood=2, consequence=3, room="Day room")  # unanswered load-bearing: High now
    now = utcnow()
    actions.transition(action, "interim_control", by=people["ward_manager"], now=now, fields={
        "control": "Bedroom locked", "control_by": "Charge nurse", "review_date": now.date() + timedelta(days=5)})
    db.session.commit()
    action_id, band = action.id, action.finding.band
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision=_before_grading())
    upgrade(directory=MIGRATIONS, revision="heads")
    row = db.session.execute(text("SELECT a.interim_control, a.interim_control_type, f.band, g.band "
                                  "FROM action a JOIN finding f ON f.id = a.finding_id "
                                  "JOIN finding_grade g ON g.finding_id = f.id WHERE a.id = :id"),
                             {"id": action_id}).one()
    assert row == ("Bedroom locked", "other", band, band)
