"""Key pages cost what the open work costs, not what the history costs: over a database with
100 times more closed actions than open ones, no statement a key page runs reads a big table
(over 10,000 rows) by sequential scan. PostgreSQL only (its planner is the one that matters in
production; SQLite deselects the test)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import event, select, text

from inspect_app.actions.counts import attention
from inspect_app.actions.models import Action
from inspect_app.clock import utcnow
from inspect_app.demo.history import add_history
from inspect_app.estates.models import Room
from inspect_app.extensions import db
from inspect_app.inspections import services as inspections
from tests.integration.test_query_counts import add_actions

pytestmark = pytest.mark.postgres_only
OPEN, HISTORY = 300, 30_000
BIG = 10_000


def _seq_scans(plan: dict, big: set[str]) -> list[str]:
    found = [plan["Relation Name"]] if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in big else []
    for child in plan.get("Plans", []):
        found += _seq_scans(child, big)
    return found


def test_no_key_page_scans_a_big_table_at_100x_history(demo, people, auth):
    add_actions(demo, people, OPEN)
    assert add_history(per_ward=HISTORY // 6, now=utcnow()) == HISTORY
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    big = set(db.session.scalars(text("SELECT relname FROM pg_class WHERE relkind = 'r' "
                                      "AND relnamespace = 'public'::regnamespace AND reltuples > :big"), {"big": BIG}))
    assert {"action", "finding", "finding_grade", "action_event"} <= big
    assert db.session.scalar(select(db.func.count()).select_from(Action).where(Action.status != "closed")) == OPEN
    inspection = inspections.in_progress_for(demo["wards"]["Larch Ward"])
    room = db.session.scalar(select(Room.id).where(Room.ward_id == inspection.ward_id).order_by(Room.id))
    pages = [("safety@demo.nhs.test", "/dashboard/"), ("safety@demo.nhs.test", "/"),
             ("manager@demo.nhs.test", "/actions/"), ("manager@demo.nhs.test", "/"),
             ("inspector@demo.nhs.test", "/"), ("inspector@demo.nhs.test", f"/inspections/{inspection.id}"),
             ("inspector@demo.nhs.test", f"/inspections/{inspection.id}/rooms/{room}")]
    problems, explained = [], 0
    for email, path in pages:
        auth.login(email)
        statements: list[tuple[str, object]] = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            response = auth.client.get(path)
            if path == "/actions/":  # a later page too: keyset paging reads on from the key
                assert auth.client.get(path + "?page=2&after=1.2000-01-01.1").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        assert response.status_code == 200, path
        auth.logout()
        with db.engine.connect() as conn:
            for statement, parameters in statements:
                plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
                plan = plan if isinstance(plan, list) else json.loads(plan)
                explained += 1
                for table in _seq_scans(plan[0]["Plan"], big):
                    problems.append(f"{email} {path}: Seq Scan on {table}\n  {statement[:300]}")
    assert explained >= len(pages)
    assert not problems, "\n".join(problems)


def test_the_attention_counts_are_planned_once_per_connection(demo, people):
    """Compared with bound timestamps, the counts' custom plans looked so much cheaper than a generic
    one that PostgreSQL planned the statement on every view (1.3-1.7 ms for 0.15 ms of work);
    ``generic_plans()`` makes it plan once per connection."""
    add_actions(demo, people, 50)
    db.session.commit()
    for _ in range(8):  # psycopg prepares a statement on its sixth execution
        assert attention(people["safety_lead"], now=utcnow())["open"] >= 50
    rows = db.session.execute(text("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                                   "WHERE statement LIKE '%interim_in_place_at IS NULL%'")).all()
    assert rows and all(generic >= 1 and custom == 0 for generic, custom in rows), rows
    assert db.session.scalar(text("SHOW plan_cache_mode")) == "auto"  # and nothing after it planned so
