"""Trust-wide checks: launched by a safety lead from an incident or a failed product check, the
matching products and points listed ward by ward, a task per ward answered on the page or through
the sync API (with photos or points), closing when every ward has answered; ward scoping holds."""
from __future__ import annotations

import io
import json
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from inspect_app.alerts import services as alerts
from inspect_app.clock import utcnow
from inspect_app.estates.models import Room
from inspect_app.extensions import db
from inspect_app.learning import services
from inspect_app.learning.models import TrustCheck, TrustCheckTask
from inspect_app.notifications.models import Notification
from inspect_app.photos.models import Photo
from tests.fixtures.walkthrough import make_photo


def _fixture(demo, people, ward: str, room: str, registered: date, label: str = "Bed-bay curtain track"):
    room_obj = db.session.scalar(select(Room).where(Room.ward_id == demo["wards"][ward], Room.name == room))
    fixture = alerts.add_fixture(room_obj, kind="curtain_rail", label=label, interval_days=90, alert=None,
                                 by=people["inspector"], now=utcnow())
    fixture.registered_on = registered
    db.session.commit()
    return fixture


def _launch(auth, **fields):
    data = {"title": "Every collapsible rail installed before 2024", "category": "curtain rail",
            "due_on": (utcnow().date() + timedelta(days=14)).isoformat(), **fields}
    return auth.post("/learning/new", data, page="/learning/new")


def test_launch_matches_products_on_every_ward_and_creates_a_task_per_ward(demo, people, auth):
    old = _fixture(demo, people, "Larch Ward", "Bedroom 1", date(2023, 5, 1))
    _fixture(demo, people, "Willow Ward", "Bedroom 2", date(2025, 1, 1))  # installed after: not matched
    auth.login("safety@demo.nhs.test")
    response = _launch(auth, installed_before="2024-01-01")
    assert response.status_code == 302, response.get_data(as_text=True)
    check = db.session.scalar(select(TrustCheck))
    assert len(check.tasks) == len(demo["wards"])
    by_ward = {t.ward.name: t.matches for t in check.tasks}
    assert [m["fixture_id"] for m in by_ward["Larch Ward"]] == [old.id]
    assert by_ward["Willow Ward"] == []
    mail = db.session.scalars(select(Notification).where(Notification.kind == "trust_check")).all()
    assert sorted(m.subject for m in mail) == ["Trust-wide check TWC-0001 for Larch Ward",
                                               "Trust-wide check TWC-0001 for Willow Ward"]  # the manager's wards
    page = auth.client.get(f"/learning/{check.id}").get_data(as_text=True)
    assert "0 of 6 wards answered" in page and 'class="hbars"' in page and "Bed-bay curtain track" in page


def test_launch_needs_a_criterion_and_a_near_deadline(demo, auth):
    auth.login("safety@demo.nhs.test")
    assert _launch(auth, category="").status_code == 400
    far = (utcnow().date() + timedelta(days=200)).isoformat()
    response = _launch(auth, due_on=far)
    assert response.status_code == 400 and "90 days" in response.get_data(as_text=True)
    assert db.session.scalar(select(TrustCheck)) is None


def test_only_safety_leads_launch(demo, auth):
    auth.login("inspector@demo.nhs.test")
    assert _launch(auth).status_code == 403


def _op(auth, task_id: int, note: str, photos=(), finding_ids=""):
    op = {"op_id": str(uuid.uuid4()), "kind": "trust_check.answer",
          "payload": {"task_id": task_id, "note": note, "finding_ids": finding_ids}}
    data = {"op": json.dumps(op), "photos": [(io.BytesIO(p), f"p{i}.jpg") for i, p in enumerate(photos)]}
    return auth.json("POST", "/api/v1/ops", None, data=data, content_type="multipart/form-data")


def test_wards_answer_through_the_sync_api_and_the_check_closes(demo, people, auth):
    _fixture(demo, people, "Larch Ward", "Bedroom 1", date(2023, 5, 1))
    check = services.launch(title="Curtain rails", criteria=services.Criteria(category="curtain rail"),
                            due_on=utcnow().date() + timedelta(days=7), instructions="", by=people["safety_lead"],
                            now=utcnow())
    db.session.commit()
    larch = next(t for t in check.tasks if t.ward_id == demo["wards"]["Larch Ward"])
    auth.login("inspector@demo.nhs.test")
    refused = _op(auth, larch.id, "Checked it")  # matches listed: a photo or a point is needed
    assert refused.status_code == 422 and refused.get_json()["field"] == "photos"
    photo = make_photo()
    response = _op(auth, larch.id, "Rail collapses under load: fine", photos=[photo])
    assert response.status_code == 201, response.get_data(as_text=True)
    assert len(response.get_json()["result"]["photos"]) == 1
    assert _op(auth, larch.id, "Again").status_code == 409
    db.session.expire_all()
    task = db.session.get(TrustCheckTask, larch.id)
    assert task.is_answered
    assert db.session.scalar(select(Photo.ward_id).where(Photo.uuid == task.photo_uuids[0])) == task.ward_id
    for other in db.session.get(TrustCheck, check.id).tasks:
        if not other.is_answered:
            assert _op(auth, other.id, "None on this ward").status_code == 201
    db.session.expire_all()
    assert db.session.get(TrustCheck, check.id).closed_at is not None


def test_ward_managers_see_and_answer_only_their_wards_tasks(demo, people, auth):
    check = services.launch(title="Wardrobe doors", criteria=services.Criteria(category="wardrobe"),
                            due_on=utcnow().date() + timedelta(days=7), instructions="", by=people["safety_lead"],
                            now=utcnow())
    db.session.commit()
    own = next(t for t in check.tasks if t.ward_id == demo["wards"]["Larch Ward"])
    other = next(t for t in check.tasks if t.ward_id == demo["wards"]["Hazel Ward"])
    auth.login("manager@demo.nhs.test")
    assert auth.client.get(f"/learning/tasks/{other.id}").status_code == 404
    assert _op(auth, other.id, "Not mine").status_code == 404
    page = auth.client.get(f"/learning/{check.id}").get_data(as_text=True)
    assert "Larch Ward" in page and "Hazel Ward</a>" not in page
    home = auth.client.get("/").get_data(as_text=True)
    assert f"/learning/tasks/{own.id}" in home and f"/learning/tasks/{other.id}" not in home
    response = auth.post(f"/learning/tasks/{own.id}", {"note": "No wardrobes of this make"},
                         page=f"/learning/tasks/{own.id}")
    assert response.status_code == 302
    assert db.session.get(TrustCheckTask, own.id).answered_by_id == people["ward_manager"].id


def test_open_tasks_are_on_the_ward_overview_and_in_the_ward_pack(demo, people, walkthrough):
    check = services.launch(title="Door closers", criteria=services.Criteria(category="door"),
                            due_on=utcnow().date() + timedelta(days=7), instructions="", by=people["safety_lead"],
                            now=utcnow())
    db.session.commit()
    task = next(t for t in check.tasks if t.ward_id == walkthrough.ward_id)
    overview = walkthrough.client.get(f"/inspections/{walkthrough.inspection_id}").get_data(as_text=True)
    assert "Trust-wide checks to answer on this ward (1)" in overview and f"/learning/tasks/{task.id}" in overview
    pack = walkthrough.client.get(f"/api/v1/inspections/{walkthrough.inspection_id}/pack").get_json()
    assert f"/learning/tasks/{task.id}" in pack["urls"]


def test_a_failed_product_check_launches_a_check_that_remembers_it(demo, people, auth):
    fixture = _fixture(demo, people, "Larch Ward", "Bedroom 1", date(2023, 5, 1))
    failed = alerts.record_check(fixture, result="fail", notes="Track held 40 kg without releasing",
                                 by=people["inspector"], now=utcnow())
    db.session.commit()
    auth.login("safety@demo.nhs.test")
    listing = auth.client.get(f"/checks/wards/{demo['wards']['Larch Ward']}").get_data(as_text=True)
    assert f"/learning/new?fixture_check_id={failed.id}" in listing
    form = auth.client.get(f"/learning/new?fixture_check_id={failed.id}&category=curtain").get_data(as_text=True)
    assert "From the failed product check of Bed-bay curtain track" in form
    response = _launch(auth, fixture_check_id=str(failed.id))
    assert response.status_code == 302
    check = db.session.scalar(select(TrustCheck))
    assert check.fixture_check_id == failed.id
    assert [m["fixture_id"] for t in check.tasks for m in t.matches] == [fixture.id]


def test_the_launch_form_lists_what_matches_before_anything_is_created(demo, people, auth):
    _fixture(demo, people, "Juniper Ward", "Bedroom 3", date(2022, 1, 1), label="Shower curtain track")
    auth.login("safety@demo.nhs.test")
    page = auth.post("/learning/new", {"category": "curtain", "step": "preview"}, page="/learning/new")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "What matches now (1 across 1 ward(s))" in text
    assert "Bedroom 3: Shower curtain track (registered 2022-01-01)" in text
    assert db.session.scalar(select(TrustCheck)) is None
