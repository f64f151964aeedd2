"""Floor plans: upload (hostile files refused as for photos), room placement, pins by form and by
the sync API, the plan on the pages, and pages without a plan as before."""
from __future__ import annotations

import html
import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.clock import utcnow
from inspect_app.demo.plans import PLANNED_WARDS, fit_label, plan_layout, seed_plans
from inspect_app.estates.models import Room, Trust, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.plans.models import WardPlan
from tests.fixtures.plans import extreme_point, plan_pdf, plan_png


def _upload(auth, ward_id: int, content: bytes, name: str = "plan.png", page: str = ""):
    data = {"plan-plan": (io.BytesIO(content), name), "plan-page": page}
    return auth.post(f"/admin/wards/{ward_id}/plan", data, page=f"/admin/wards/{ward_id}/plan",
                     content_type="multipart/form-data")


def _plans() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(WardPlan))


def test_admin_uploads_an_image_or_a_pdf_page_and_places_a_room_by_percentages(auth, demo, app):
    ward_id = demo["wards"]["Larch Ward"]
    auth.login("admin@demo.nhs.test")
    assert _upload(auth, ward_id, plan_png()).status_code == 303
    response = _upload(auth, ward_id, plan_pdf(), "plan.pdf", page="2")
    assert response.status_code == 303
    plan = db.session.scalars(select(WardPlan).order_by(WardPlan.id.desc())).first()
    assert plan.source_format == "PDF" and plan.width == 1600 and plan.height < plan.width
    room = db.session.scalar(select(Room).where(Room.ward_id == ward_id, Room.name == "Bedroom 3"))
    placed = auth.post(f"/admin/wards/{ward_id}/plan/rooms", {"place-room_id": room.id, "place-x": "12.5",
                                                              "place-y": "20", "place-w": "10", "place-h": "15"},
                       page=f"/admin/wards/{ward_id}/plan")
    assert placed.status_code == 303
    db.session.expire_all()
    room = db.session.get(Room, room.id)
    assert (room.plan_x, room.plan_y, room.plan_w, room.plan_h) == (0.125, 0.2, 0.1, 0.15)
    page = auth.client.get(f"/admin/wards/{ward_id}/plan").get_data(as_text=True)
    assert "<svg" in page and "Bedroom 3" in page and f"/plans/{plan.uuid}.jpg" in page
    with auth.client.get(f"/plans/{plan.uuid}.jpg") as image:
        assert image.status_code == 200 and image.data[:3] == b"\xff\xd8\xff"
    off_plan = auth.post(f"/admin/wards/{ward_id}/plan/rooms", {"place-room_id": room.id, "place-x": "95",
                                                                "place-y": "20", "place-w": "10", "place-h": "5"},
                         page=f"/admin/wards/{ward_id}/plan")
    assert off_plan.status_code == 422 and "stay on the plan" in off_plan.get_data(as_text=True)



def _place(auth, ward_id: int, **fields):
    return auth.post(f"/admin/wards/{ward_id}/plan/rooms", {f"place-{k}": v for k, v in fields.items()},
                     page=f"/admin/wards/{ward_id}/plan")


def test_a_placed_room_opens_at_its_saved_place_and_is_never_given_another_rooms(auth, planned_ward):
    """Without the script: a placed room's link (?room=) fills the form with its place and says it is
    placed; saving it untouched keeps it; choosing another placed room in the select and saving the
    form filled for the first shows that room's place instead of moving it there."""
    ward_id, rooms = planned_ward["ward"].id, planned_ward["rooms"]
    one, two = rooms["Bedroom 1"].id, rooms["Bedroom 2"].id
    auth.login("admin@demo.nhs.test")
    page = auth.client.get(f"/admin/wards/{ward_id}/plan?room={one}").get_data(as_text=True)
    assert re.search(rf'<option [^>]*selected value="{one}"', page) and f'name="place-shown" type="hidden" value="{one}"' in page
    assert "Bedroom 1 is placed: left 10%, top 10%, 20% wide and 30% high." in page
    for name, value in (("x", "10.0"), ("y", "10.0"), ("w", "20.0"), ("h", "30.0")):
        assert re.search(rf'name="place-{name}"[^>]*value="{value}"', page), name
    assert _place(auth, ward_id, room_id=one, shown=one, x="10.0", y="10.0", w="20.0", h="30.0").status_code == 303
    switched = _place(auth, ward_id, room_id=two, shown=one, x="10.0", y="10.0", w="20.0", h="30.0")
    text = switched.get_data(as_text=True)
    assert switched.status_code == 409 and "Bedroom 2 is already on the plan" in text
    assert "Bedroom 2 is placed: a point at left 60%, top 20%." in text and re.search(r'name="place-x"[^>]*value="60.0"', text)
    db.session.expire_all()
    place = [(r.plan_x, r.plan_y, r.plan_w, r.plan_h) for r in (db.session.get(Room, one), db.session.get(Room, two))]
    assert place == [(0.1, 0.1, 0.2, 0.3), (0.6, 0.2, None, None)]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "room.place")) == 2
    fresh = auth.client.get(f"/admin/wards/{ward_id}/plan").get_data(as_text=True)  # the next room to place
    assert re.search(r'<option [^>]*selected value="\d+">Bedroom 1 en-suite<', fresh)
    assert "Bedroom 1 en-suite is not placed" in fresh



def test_the_demo_plans_name_each_room_once_readably(auth, demo):
    """The drawing names each room (as large as fits, 24 px of 1,600 at least: about 11 px on a phone's
    plan); the page outlines the rooms with their names as titles and never labels them again."""
    seed_plans(db.session.scalar(select(Trust)), now=utcnow())
    db.session.commit()
    auth.login("admin@demo.nhs.test")
    for ward in db.session.scalars(select(Ward).where(Ward.name.in_(PLANNED_WARDS))):
        rooms = ward.active_rooms
        boxes = plan_layout(rooms).boxes
        sizes = {room.name: fit_label(room.name, right - left, bottom - top)[1]
                 for room in rooms for left, top, right, bottom in [boxes[room.id]]}
        assert min(sizes.values()) >= 24, sizes
        page = auth.client.get(f"/admin/wards/{ward.id}/plan").get_data(as_text=True)
        svg = page[page.index("<svg"):page.index("</svg>")]
        titles = re.findall(r'<rect class="plan__room[^>]*><title>([^<]+)</title>', svg)
        assert [html.unescape(t) for t in titles] == [r.name for r in rooms]
        assert svg.count("<text") == svg.count('class="plan__pin '), ward.name  # pin numbers only


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


@pytest.mark.parametrize("content, name, status, words", [
    (b"", "empty.png", 422, "The file is empty. Choose the ward&#39;s floor plan"),
    (b"#!/bin/sh\nrm -rf /\n", "plan.png", 415, "not a photo"),
    (plan_png()[:300], "cut.png", 422, "damaged"),
    (_png_claiming(60000, 60000), "bomb.png", 422, ""),
    (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "broken.pdf", 422, "PDF"),
])
def test_hostile_plan_uploads_are_refused_and_nothing_is_stored(auth, demo, app, content, name, status, words):
    auth.login("admin@demo.nhs.test")
    response = _upload(auth, demo["wards"]["Larch Ward"], content, name)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)
    assert _plans() == 0
    assert not list(Path(app.config["PHOTO_ROOT"]).rglob("*.jpg"))


def test_a_pdf_page_that_does_not_exist_is_refused(auth, demo):
    auth.login("admin@demo.nhs.test")
    response = _upload(auth, demo["wards"]["Larch Ward"], plan_pdf(pages=1), "plan.pdf", page="3")
    assert response.status_code == 422 and "no page 3" in response.get_data(as_text=True)
    assert _plans() == 0


def test_inspector_pins_a_point_inside_its_room_and_never_outside(auth, planned_ward):
    point = extreme_point(planned_ward, room_name="Bedroom 1")
    auth.login("inspector@demo.nhs.test")
    page = auth.client.get(f"/ligature-points/{point.id}/pin")
    assert page.status_code == 200 and "plan__room--current" in page.get_data(as_text=True)
    outside = auth.post(f"/ligature-points/{point.id}/pin", {"x": "80", "y": "80"},
                        page=f"/ligature-points/{point.id}/pin")
    assert outside.status_code == 422 and "Tap inside Bedroom 1" in outside.get_data(as_text=True)
    inside = auth.post(f"/ligature-points/{point.id}/pin", {"x": "20", "y": "25"},
                       page=f"/ligature-points/{point.id}/pin")
    assert inside.status_code == 303
    db.session.expire_all()
    point = db.session.get(Finding, point.id)
    assert (point.pin_x, point.pin_y) == (0.2, 0.25)
    pins = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "finding.pin")
    assert db.session.scalar(pins) == 1


def test_the_ward_overview_and_the_managers_home_show_numbered_pins_discreetly(auth, planned_ward):
    point = extreme_point(planned_ward, description="Exposed pipe above basin")
    auth.login("inspector@demo.nhs.test")
    overview = auth.client.get(f"/inspections/{planned_ward['inspection'].id}").get_data(as_text=True)
    assert 'class="plan__pin plan__pin--extreme plan__pin--room"' in overview  # at its room, not pinned yet
    assert f'href="/ligature-points/{point.id}"' in overview and "Exposed pipe above basin" in overview
    auth.client.set_cookie("wsi_discreet", "1")
    discreet = auth.client.get(f"/inspections/{planned_ward['inspection'].id}").get_data(as_text=True)
    assert "Point 1: " + point.ref in discreet and "Exposed pipe above basin" not in discreet
    auth.logout()
    auth.login("manager@demo.nhs.test")
    home = auth.client.get("/").get_data(as_text=True)
    assert "Hot-spot map: Larch Ward" in home and 'data-pin="1"' in home


def test_pages_without_a_plan_work_as_before(auth, offline_walk):
    extreme_point(offline_walk)
    auth.login("inspector@demo.nhs.test")
    overview = auth.client.get(f"/inspections/{offline_walk['inspection'].id}")
    assert overview.status_code == 200 and "<svg" not in overview.get_data(as_text=True)
    point = db.session.scalars(select(Finding)).first()
    refused = auth.post(f"/ligature-points/{point.id}/pin", {"x": "20", "y": "25"},
                        page=f"/ligature-points/{point.id}/pin")
    assert refused.status_code == 409 and "no plan" in refused.get_data(as_text=True)


def test_point_pin_operation_is_idempotent_and_only_for_the_people_who_record_points(device, planned_ward, auth):
    point = extreme_point(planned_ward, room_name="Bedroom 1")
    op = device.op("point.pin", {"finding_id": str(point.id), "x": "15", "y": "30"})
    first = device.send(op)
    assert first.status_code == 200 and first.json["result"]["pin_x"] == 0.15
    assert device.send(op).json["replayed"] is True
    again = device.send(device.op("point.pin", {"finding_id": point.id, "x": 15, "y": 30}))
    assert again.status_code == 200
    events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "finding.pin"))
    assert events == 1  # the same position again changed nothing
    bad = device.send(device.op("point.pin", {"finding_id": point.id, "x": "far left", "y": "30"}))
    assert bad.status_code == 400 and bad.json["field"] == "x"
    off = device.send(device.op("point.pin", {"finding_id": point.id, "x": "150", "y": "30"}))
    assert off.status_code == 422
    auth.logout()
    auth.login("manager@demo.nhs.test")
    refused = device.send(device.op("point.pin", {"finding_id": point.id, "x": "20", "y": "30"}))
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(Finding, point.id).pin_x == 0.15
    assert utcnow()


def _new_point_form(walk, **extra) -> dict:
    return {"inspection_id": walk["inspection"].id, "room_id": walk["rooms"]["Bedroom 1"].id,
            "category": "Other", "description": "Door closer arm", "grade": "4x5", "load_bearing": "full",
            **extra}


def test_a_point_is_pinned_when_recorded_on_its_form_or_through_the_sync_api(auth, planned_ward, device):
    walk = planned_ward
    page = f"/ligature-points/new?inspection_id={walk['inspection'].id}&room_id={walk['rooms']['Bedroom 1'].id}"
    assert "Where it is on the ward plan" in auth.client.get(page).get_data(as_text=True)
    outside = auth.post("/ligature-points/new", _new_point_form(walk, pin_x="90", pin_y="90"), page=page)
    assert outside.status_code == 422 and "Tap inside Bedroom 1" in outside.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 0  # nothing half-saved
    saved = auth.post("/ligature-points/new", _new_point_form(walk, pin_x="15", pin_y="20"), page=page)
    assert saved.status_code == 302
    payload = {**_new_point_form(walk), "inspection_id": str(walk["inspection"].id),
               "room_id": str(walk["rooms"]["Bedroom 1"].id), "pin_x": "25", "pin_y": "35"}
    sent = device.send(device.op("finding.create", payload))
    assert sent.status_code == 201
    db.session.expire_all()
    pins = sorted((f.pin_x, f.pin_y) for f in db.session.scalars(select(Finding)))
    assert pins == [(0.15, 0.2), (0.25, 0.35)]
