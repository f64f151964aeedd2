"""A request whose transaction only read ends with COMMIT (psycopg then keeps its prepared
statements); anything written, pending or failed still ends with ROLLBACK and is not kept."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, insert, select, text

from inspect_app.clock import utcnow
from inspect_app.estates.models import Trust
from inspect_app.extensions import db, generic_plans


@contextmanager
def transaction_ends(app):
    """Counts of COMMITs and ROLLBACKs issued through the engine while the block runs."""
    ends = {"commit": 0, "rollback": 0}

    def on_commit(conn):
        ends["commit"] += 1

    def on_rollback(conn):
        ends["rollback"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        yield ends
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)


def trusts_named(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Trust).where(Trust.name == name))


def test_read_only_requests_commit_and_keep_prepared_statements(app, client):
    with transaction_ends(app) as ends:
        for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
            assert client.get("/healthz").status_code == 200
    assert ends == {"commit": 8, "rollback": 0}
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # the pool's one connection served every request: its statements are still prepared
            assert db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")) >= 1
        else:
            assert db.engine.dialect.name == "sqlite"  # nothing to keep; the commit is harmless


@pytest.mark.parametrize("write", ["flush", "bulk insert", "pending", "exception"])
def test_a_transaction_that_wrote_or_failed_still_rolls_back(app, write):
    name = f"Not kept ({write})"
    with transaction_ends(app) as ends:
        try:
            with app.app_context():
                db.session.scalar(select(Trust.id))  # a read first: the transaction is open
                if write == "flush":  # e.g. a view that flushed, then refused with a 4xx
                    db.session.add(Trust(name=name, code="NK1", created_at=utcnow()))
                    db.session.flush()
                elif write == "bulk insert":
                    db.session.execute(insert(Trust).values(name=name, code="NK2", created_at=utcnow()))
                elif write == "pending":  # added but never flushed: a commit would write it
                    db.session.add(Trust(name=name, code="NK3", created_at=utcnow()))
                else:
                    db.session.add(Trust(name=name, code="NK4", created_at=utcnow()))
                    db.session.flush()
                    raise RuntimeError("the view failed")
        except RuntimeError:
            assert write == "exception"
    assert ends["commit"] == 0 and ends["rollback"] == 1
    assert trusts_named(app, name) == 0


def test_a_planner_setting_is_not_a_write(app):
    """``generic_plans()`` sends SET LOCAL on PostgreSQL: the transaction still only read, so it commits
    (and psycopg keeps its prepared statements)."""
    with transaction_ends(app) as ends, app.app_context(), generic_plans():
        db.session.scalar(select(Trust.id))
    assert ends == {"commit": 1, "rollback": 0}
