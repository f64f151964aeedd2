"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from inspect_app.extensions import db
from tests.conftest import ON_POSTGRES


def test_models_and_migrations_agree(ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations differ: {differences}"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(ctx):
    if ON_POSTGRES:
        version = db.session.execute(text("SHOW server_version")).scalar()
        assert version
        return
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(ctx):
    from sqlalchemy.exc import IntegrityError

    from inspect_app.estates.models import Ward

    db.session.add(Ward(site_id=999999, name="Nowhere", patient_group="acute", bed_count=1))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
    else:  # pragma: no cover - the assertion explains the failure
        raise AssertionError("a ward was saved for a site that does not exist")
