"""Years of invented history in bulk, for benchmarks and the query-plan test: past signed-off
inspections whose ligature points were fixed and whose actions were closed (:func:`add_history`),
and open work in bulk for the benchmarks of the open-work pages (:func:`add_open`).

Rows are made by ``INSERT ... SELECT`` over a number series (``generate_series`` on PostgreSQL, a
recursive CTE on SQLite), not ORM objects, so 100,000 closed actions take seconds. Nothing here
goes through the services: it is history, already finished, and never shown as open work.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text

from inspect_app.actions import tallies
from inspect_app.actions.models import DueTally, LiveTally
from inspect_app.auth.models import User
from inspect_app.checklists.models import ChecklistTemplate
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection, InspectionStatus

YEARS = 5  # closing dates spread over this many years before now

# score -> band as the default NHS 5x5 policy has it (1-3 Low, 4-6 Moderate, 8-12 High, 15-25 Extreme)
_BAND = ("CASE WHEN {s} >= 15 THEN 'extreme' WHEN {s} >= 8 THEN 'high' WHEN {s} >= 4 THEN 'moderate' "
         "ELSE 'low' END")
_SEVERITY = "CASE band WHEN 'extreme' THEN 0 WHEN 'high' THEN 1 WHEN 'moderate' THEN 2 ELSE 3 END"


def _dialect() -> dict[str, str]:
    """SQL fragments that differ between PostgreSQL and SQLite."""
    if db.engine.dialect.name == "postgresql":
        return {"series": "generate_series(1, :n) AS g(i)",
                "days_before": "(CAST(:now AS timestamp) - ({days}) * interval '1 day')",
                "days_after": "({at} + ({days}) * interval '1 day')",
                "to_date": "CAST({at} AS date)", "div": "({a} / {b})"}
    return {"series": "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "
                      "SELECT i FROM s) AS g",
            "days_before": "datetime(:now, '-' || ({days}) || ' days')",
            "days_after": "datetime({at}, '+' || ({days}) || ' days')",
            "to_date": "date({at})", "div": "({a} / {b})"}


def add_history(*, per_ward: int, now: datetime, ward_ids: list[int] | None = None) -> int:
    """Add ``per_ward`` fixed points with closed actions to each active ward (or those in
    ``ward_ids``), in one past signed-off inspection per ward; returns the number of actions added.

    Closing dates are spread over the last ``YEARS`` years, so about a fifth fall in the last 12
    months. Each point also gets its grade record, each action its create and close events.
    """
    sql = _dialect()
    author = db.session.scalar(select(User.id).order_by(User.id))
    template = db.session.scalar(select(ChecklistTemplate.id).order_by(ChecklistTemplate.id.desc()))
    wards = select(Ward.id).where(Ward.active.is_(True)).order_by(Ward.id)
    if ward_ids is not None:
        wards = wards.where(Ward.id.in_(ward_ids))
    added = 0
    for ward_id in db.session.scalars(wards).all():
        rooms = db.session.scalars(select(Room.id).where(Room.ward_id == ward_id).order_by(Room.id)).all()
        if not rooms or per_ward <= 0:
            continue
        past = now - timedelta(days=365 * YEARS)
        inspection = Inspection(ward_id=ward_id, template_id=template, inspection_type="annual",
                                status=InspectionStatus.SIGNED_OFF, team=[], started_at=past,
                                started_by_id=author, lead_inspector_id=author, signed_off_at=past,
                                signed_off_by_id=author, signature_name="Historic record", updated_at=past)
        db.session.add(inspection)
        db.session.flush()
        first = db.session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM finding"))
        for n, room_id in enumerate(rooms):
            count = per_ward // len(rooms) + (1 if n < per_ward % len(rooms) else 0)
            if not count:
                continue
            lik, con = "(1 + g.i % 5)", f"(1 + {sql['div'].format(a='g.i', b=5)} % 5)"
            # the ward's points evenly over the years: the i-th point of room n is the ward's
            # ((i - 1) * rooms + n)-th, closed about a month after it was found
            created = sql["days_before"].format(
                days=f"((g.i - 1) * {len(rooms)} + {n}) * {365 * YEARS - 60} / {per_ward} + 30")
            db.session.execute(text(
                "INSERT INTO finding (ward_id, room_id, inspection_id, last_inspection_id, category, description, "
                "location, existing_controls, recommended_action, low_level, likelihood, consequence, score, band, "
                "state, resolved_at, created_by_id, created_at, updated_at, field_edited_at) "
                f"SELECT :ward, :room, :insp, :insp, 'Door furniture', 'Historic point ' || g.i, '', '', '', "
                f"false, {lik}, {con}, {lik} * {con}, {_BAND.format(s=f'{lik} * {con}')}, 'fixed', "
                f"{created}, :author, {created}, {created}, '{{}}' FROM {sql['series']}"),
                {"ward": ward_id, "room": room_id, "insp": inspection.id, "author": author, "n": count,
                 "now": now})
        closed = sql["days_after"].format(at="created_at", days="id % 60")
        db.session.execute(text(
            "INSERT INTO action (finding_id, ward_id, status, band, severity, likelihood, consequence, owner_team, "
            "target_date, created_at, created_by_id, closed_at, updated_at) "
            f"SELECT f.id, f.ward_id, 'closed', f.band, {_SEVERITY.replace('band', 'f.band')}, f.likelihood, "
            f"f.consequence, 'Estates team', {sql['to_date'].format(at=sql['days_after'].format(at='f.created_at', days='28'))}, "
            f"f.created_at, :author, f.created_at, f.created_at FROM finding f "
            "WHERE f.inspection_id = :insp AND f.id > :first"),
            {"insp": inspection.id, "first": first, "author": author})
        # the closing date as a separate step keeps the statement above the same on both dialects
        db.session.execute(text(f"UPDATE action SET closed_at = {closed}, "
                                "updated_at = created_at WHERE finding_id > :first AND status = 'closed' "
                                "AND ward_id = :ward"), {"first": first, "ward": ward_id})
        db.session.execute(text(
            "INSERT INTO finding_grade (finding_id, inspection_id, kind, likelihood, consequence, score, "
            "calculated_band, band, tier, low_level, reasons, graded_by_id, graded_at) "
            "SELECT f.id, f.inspection_id, 'initial', f.likelihood, f.consequence, f.score, f.band, f.band, "
            "'T2', false, '[]', :author, f.created_at FROM finding f WHERE f.inspection_id = :insp AND f.id > :first"),
            {"insp": inspection.id, "first": first, "author": author})
        for kind, status, at in (("create", "open", "a.created_at"), ("transition", "closed", "a.closed_at")):
            db.session.execute(text(
                "INSERT INTO action_event (action_id, kind, from_status, to_status, by_id, by_name, role, at, fields) "
                f"SELECT a.id, '{kind}', NULL, '{status}', :author, 'Historic record', 'inspector', {at}, '{{}}' "
                "FROM action a WHERE a.finding_id > :first AND a.ward_id = :ward"),
                {"first": first, "ward": ward_id, "author": author})
        added += db.session.scalar(text("SELECT COUNT(*) FROM action WHERE finding_id > :first AND ward_id = :ward"),
                                   {"first": first, "ward": ward_id})
    # the maintained counts, recounted once after the bulk insert (the ORM keeps them one flush at
    # a time; these statements bypass it)
    tallies.rebuild()
    db.session.flush()
    return added


def add_open(*, inspection_id: int, ward_id: int, count: int, now: datetime, recount: bool = True) -> int:
    """Add ``count`` present, graded points with open actions (open, interim control, work
    ordered in turn; a tenth overdue) to the ward's rooms in the inspection; for benchmarks of
    the open-work pages. Returns the number added.

    :param recount: rebuild the open counts after (a caller adding to many wards passes False and
        calls ``tallies.rebuild`` once at the end).
    """
    sql = _dialect()
    author = db.session.scalar(select(User.id).order_by(User.id))
    rooms = db.session.scalars(select(Room.id).where(Room.ward_id == ward_id, Room.active.is_(True))
                               .order_by(Room.id)).all()
    first = db.session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM finding"))
    for n, room_id in enumerate(rooms):
        per_room = count // len(rooms) + (1 if n < count % len(rooms) else 0)
        if not per_room:
            continue
        lik, con = "(2 + g.i % 4)", f"(2 + {sql['div'].format(a='g.i', b=4)} % 4)"
        db.session.execute(text(
            "INSERT INTO finding (ward_id, room_id, inspection_id, last_inspection_id, category, description, "
            "location, existing_controls, recommended_action, low_level, likelihood, consequence, score, band, "
            "state, created_by_id, created_at, updated_at, field_edited_at) "
            f"SELECT :ward, :room, :insp, :insp, 'Door furniture', 'Open point ' || g.i, '', '', '', false, "
            f"{lik}, {con}, {lik} * {con}, {_BAND.format(s=f'{lik} * {con}')}, 'present', :author, :now, :now, '{{}}' "
            f"FROM {sql['series']}"),
            {"ward": ward_id, "room": room_id, "insp": inspection_id, "author": author, "n": per_room, "now": now})
    # due between 60 days ahead and 3 days ago: about a tenth overdue
    due = sql["to_date"].format(at=sql["days_before"].replace(":now", ":soon").format(days="(f.id % 10) * 7"))
    db.session.execute(text(
        "INSERT INTO action (finding_id, ward_id, status, band, severity, likelihood, consequence, owner_team, "
        "target_date, created_at, created_by_id, updated_at) "
        "SELECT f.id, f.ward_id, CASE f.id % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'interim_control' "
        f"ELSE 'work_ordered' END, f.band, {_SEVERITY.replace('band', 'f.band')}, f.likelihood, f.consequence, "
        f"'Estates team', {due}, :now, :author, :now FROM finding f "
        "WHERE f.ward_id = :ward AND f.id > :first"),
        {"ward": ward_id, "first": first, "author": author, "now": now, "soon": now + timedelta(days=60)})
    db.session.execute(text(
        "INSERT INTO finding_grade (finding_id, inspection_id, kind, likelihood, consequence, score, "
        "calculated_band, band, tier, low_level, reasons, graded_by_id, graded_at) "
        "SELECT f.id, f.inspection_id, 'initial', f.likelihood, f.consequence, f.score, f.band, f.band, "
        "'T2', false, '[]', :author, f.created_at FROM finding f WHERE f.ward_id = :ward AND f.id > :first"),
        {"ward": ward_id, "first": first, "author": author})
    if recount:
        tallies.rebuild((LiveTally, DueTally))  # the open counts (the closed ones are unchanged)
    return db.session.scalar(text("SELECT COUNT(*) FROM finding WHERE ward_id = :ward AND id > :first"),
                             {"ward": ward_id, "first": first})
