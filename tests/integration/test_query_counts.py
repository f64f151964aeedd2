"""The dashboard and the ward manager's list issue the same number of SQL statements with 10 and
with 1,000 actions (no query per row)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from inspect_app.actions import tallies
from inspect_app.actions.models import Action
from inspect_app.clock import utcnow
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections import services as inspections
from tests.fixtures.sql import counting

BANDS = (("low", 1, 2), ("moderate", 2, 3), ("high", 3, 4), ("extreme", 5, 5))


def add_actions(demo, people, count: int) -> None:
    """Bulk-insert ``count`` graded points with actions across the manager's two wards."""
    now = utcnow()
    inspector = people["inspector"]
    for ward_name in ("Larch Ward", "Willow Ward"):
        ward_id = demo["wards"][ward_name]
        ward = db.session.get(Room, db.session.scalar(select(Room.id).where(Room.ward_id == ward_id))).ward
        inspection = inspections.in_progress_for(ward_id) or inspections.start_inspection(
            ward=ward, inspection_type="annual", team=["Sam"], by=inspector, now=now)
        rooms = db.session.scalars(select(Room.id).where(Room.ward_id == ward_id)).all()
        half = count // 2
        first = db.session.scalar(select(Finding.id).order_by(Finding.id.desc())) or 0
        db.session.execute(insert(Finding), [
            {"ward_id": ward_id, "room_id": rooms[i % len(rooms)], "inspection_id": inspection.id,
             "last_inspection_id": inspection.id, "category": "Door furniture", "description": f"Point {i}",
             "location": "", "existing_controls": "", "recommended_action": "", "low_level": False,
             "likelihood": BANDS[i % 4][1], "consequence": BANDS[i % 4][2],
             "score": BANDS[i % 4][1] * BANDS[i % 4][2], "band": BANDS[i % 4][0], "state": "present",
             "created_by_id": inspector.id, "created_at": now, "updated_at": now, "field_edited_at": {}}
            for i in range(half)])
        ids = db.session.scalars(select(Finding.id).where(Finding.id > first).order_by(Finding.id)).all()
        db.session.execute(insert(Action), [
            {"finding_id": fid, "ward_id": ward_id, "status": ("open", "interim_control", "work_ordered")[i % 3],
             "band": BANDS[i % 4][0], "likelihood": BANDS[i % 4][1], "consequence": BANDS[i % 4][2],
             "owner_team": "Estates team", "target_date": (now - timedelta(days=i % 40)).date(),
             "interim_by": now - timedelta(hours=1), "created_at": now - timedelta(days=i % 100), "updated_at": now}
            for i, fid in enumerate(ids)])
    tallies.rebuild()  # rows written by SQL: the maintained counts (and their marker) follow, as documented
    db.session.commit()


def _statements(auth, email: str, path: str) -> int:
    auth.login(email)
    with counting() as statements:
        response = auth.client.get(path)
    assert response.status_code == 200
    auth.logout()
    # PostgreSQL's SET LOCAL of the planner's mode around the attention counts (extensions.generic_plans)
    # reads nothing: the ceilings are the same on both databases
    return len([s for s in statements if not s.startswith("SET LOCAL plan_cache_mode")])


def test_statement_counts_do_not_grow_with_the_number_of_actions(demo, people, auth):
    add_actions(demo, people, 10)
    small = {path: _statements(auth, email, path) for email, path in
             (("safety@demo.nhs.test", "/dashboard/"), ("manager@demo.nhs.test", "/actions/"),
              ("manager@demo.nhs.test", "/"))}
    add_actions(demo, people, 990)
    assert db.session.scalar(select(db.func.count(Action.id))) == 1000
    large = {path: _statements(auth, email, path) for email, path in
             (("safety@demo.nhs.test", "/dashboard/"), ("manager@demo.nhs.test", "/actions/"),
              ("manager@demo.nhs.test", "/"))}
    print("statements per page (10 actions, 1000 actions):", {p: (small[p], large[p]) for p in small})
    assert large == small
    # and no more than the sixth pass left (issue 19): the sign-in check, the attention statement (with
    # the optional panels' existence tests), the tallies, the overdue list, and the wards (the filter's
    # choices and those due for re-assessment, in one statement)
    assert small["/dashboard/"] <= 6 and small["/actions/"] <= 4 and small["/"] <= 15, small


def _points_in_first_room(demo, people, count: int) -> tuple[int, int]:
    """``count`` more graded points, each with a photo, in the first room of Larch Ward's inspection."""
    from inspect_app.photos.models import Photo

    now = utcnow()
    inspector = people["inspector"]
    ward_id = demo["wards"]["Larch Ward"]
    room = db.session.scalars(select(Room).where(Room.ward_id == ward_id, Room.active.is_(True))
                              .order_by(Room.position, Room.id)).first()
    inspection = inspections.in_progress_for(ward_id) or inspections.start_inspection(
        ward=room.ward, inspection_type="annual", team=["Sam"], by=inspector, now=now)
    first = db.session.scalar(select(Finding.id).order_by(Finding.id.desc())) or 0
    db.session.execute(insert(Finding), [
        {"ward_id": ward_id, "room_id": room.id, "inspection_id": inspection.id,
         "last_inspection_id": inspection.id, "category": "Door furniture", "description": f"Point {i}",
         "location": "", "existing_controls": "", "recommended_action": "", "low_level": False,
         "likelihood": BANDS[i % 4][1], "consequence": BANDS[i % 4][2], "score": BANDS[i % 4][1] * BANDS[i % 4][2],
         "band": BANDS[i % 4][0], "state": "present", "created_by_id": inspector.id, "created_at": now,
         "updated_at": now, "field_edited_at": {}} for i in range(count)])
    ids = db.session.scalars(select(Finding.id).where(Finding.id > first)).all()
    db.session.execute(insert(Photo), [
        {"uuid": f"00000000-0000-4000-8000-{fid:012d}", "ward_id": ward_id, "kind": "finding", "finding_id": fid,
         "key_large": f"k/{fid}.jpg", "key_report": f"r/{fid}.jpg", "key_thumb": f"t/{fid}.jpg", "sha256": "0" * 64,
         "width": 1600, "height": 1200, "bytes": 1000, "uploaded_bytes": 1000, "uploaded_by_id": inspector.id,
         "uploaded_at": now} for fid in ids])
    db.session.commit()
    return inspection.id, room.id


def test_walk_pages_statement_counts_do_not_grow_with_points_and_photos(demo, people, auth):
    inspection_id, room_id = _points_in_first_room(demo, people, 2)
    pages = (f"/inspections/{inspection_id}", f"/inspections/{inspection_id}/rooms/{room_id}")
    small = {path: _statements(auth, "inspector@demo.nhs.test", path) for path in pages}
    _points_in_first_room(demo, people, 200)
    large = {path: _statements(auth, "inspector@demo.nhs.test", path) for path in pages}
    auth.login("inspector@demo.nhs.test")
    room_page = auth.client.get(pages[1])
    print("statements per page (2 points, 202 points):", {p: (small[p], large[p]) for p in small})
    assert large == small
    # overview: sign-in, inspection (with the optional panels' existence tests), walk, answers;
    # room page: sign-in, inspection and room (and the same tests, and whether the room has photos of its
    # own: these rooms have none, so they are not asked for), checklist, walk position, points
    assert small[pages[0]] <= 4 and small[pages[1]] <= 5, small
    # the room page's list shows a page of points, each with its thumbnail, in the same fixed number of
    # statements (every point's thumbnail loads when its page is opened: ?points=N)
    from inspect_app.inspections.room_views import POINTS_SHOWN

    html = room_page.get_data(as_text=True)
    assert html.count('class="sensitive thumb"') >= POINTS_SHOWN and "Ligature points in this room (202)" in html
    last = auth.client.get(f"{pages[1]}?points={-(-202 // POINTS_SHOWN)}").get_data(as_text=True)
    assert last.count('class="sensitive thumb"') >= 202 % POINTS_SHOWN


def test_home_pages_do_not_query_ward_by_ward(demo, people, auth):
    """Each ward card shows the inspection under way and the trust-wide check tasks: read for every
    ward at once, so a trust with more wards (each with an inspection running) costs no more statements."""
    now = utcnow()
    emails = ("safety@demo.nhs.test", "inspector@demo.nhs.test", "admin@demo.nhs.test")
    before = {email: _statements(auth, email, "/") for email in emails}
    for ward_id in demo["wards"].values():
        ward = db.session.get(Ward, ward_id)
        inspections.in_progress_for(ward_id) or inspections.start_inspection(
            ward=ward, inspection_type="annual", team=["Sam"], by=people["inspector"], now=now)
    for n in range(3):
        model = db.session.get(Ward, demo["wards"]["Larch Ward"])
        db.session.add(Ward(site_id=model.site_id, name=f"Extra Ward {n}", patient_group=model.patient_group,
                            bed_count=model.bed_count))
    db.session.commit()
    after = {email: _statements(auth, email, "/") for email in emails}
    # (one fewer may be the attention panel's overdue counts, kept while no action changed)
    assert all(after[email] <= before[email] for email in emails), (before, after)
    auth.login("inspector@demo.nhs.test")
    page = auth.client.get("/").get_data(as_text=True)
    assert page.count("Continue inspection") == len(demo["wards"]) and "Extra Ward 2" in page
