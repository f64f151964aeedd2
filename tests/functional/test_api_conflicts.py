"""Two tablets edit the same ligature point offline: merged field by field (the later edit wins each
field), both versions kept in the audit history; other operation kinds through the API."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import CarryForward, RoomVisit


def _point(device, walk) -> int:
    response = device.send(device.op("finding.create", {
        "inspection_id": str(walk["inspection"].id), "room_id": str(walk["rooms"]["Bedroom 2"].id),
        "category": "Furniture", "description": "Bed frame gap", "location": "Bed head", "grade": "2x3"}))
    assert response.status_code == 201, response.json
    return response.json["result"]["finding_id"]


def test_offline_edits_from_two_tablets_merge_field_by_field_later_edit_wins(device, offline_walk):
    finding_id = _point(device, offline_walk)
    # Tablet A edited at 10:00 (description and location); tablet B at 10:05 (description only).
    # B reaches the server first, then A: A's description is older and loses; A's location wins.
    b = device.send(device.op("finding.update", {"finding_id": str(finding_id), "description": "B: gap 12 cm"},
                              client_time="2026-11-20T10:05:00.000Z"))
    a = device.send(device.op("finding.update", {"finding_id": str(finding_id), "description": "A: gap 10 cm",
                                                 "location": "A: left of bed head"},
                              client_time="2026-11-20T10:00:00.000Z"))
    assert b.status_code == a.status_code == 200
    assert a.json["result"]["applied"] == ["location"] and a.json["result"]["superseded"] == ["description"]
    db.session.expire_all()
    finding = db.session.get(Finding, finding_id)
    assert finding.description == "B: gap 12 cm" and finding.location == "A: left of bed head"
    history = [e.new for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_id == finding_id, AuditEvent.action.like("finding.update%")).order_by(AuditEvent.id))]
    assert {"description": "B: gap 12 cm"} in history
    assert {"description": "A: gap 10 cm"} in history  # the losing version stays in the history


def test_regrade_and_grade_through_the_api(device, offline_walk):
    finding_id = _point(device, offline_walk)
    graded = device.send(device.op("finding.grade", {"finding_id": str(finding_id), "grade": "5x5",
                                                     "comment": "Worse than thought"}))
    assert graded.status_code == 200 and graded.json["result"]["band"] == "extreme"
    db.session.expire_all()
    assert [g.kind for g in db.session.get(Finding, finding_id).grades] == ["initial", "regrade"]


def test_room_not_accessible_needs_a_reason(device, offline_walk):
    payload = {"inspection_id": str(offline_walk["inspection"].id),
               "room_id": str(offline_walk["rooms"]["Bedroom 3"].id), "not_accessible": "1", "reason": ""}
    refused = device.send(device.op("room.access", payload))
    assert refused.status_code == 422 and "reason" in refused.json["message"]
    saved = device.send(device.op("room.access", {**payload, "reason": "Patient asleep"}))
    assert saved.status_code == 200 and saved.json["result"]["not_accessible"] is True
    db.session.expire_all()
    assert db.session.scalar(select(RoomVisit.not_accessible_reason)) == "Patient asleep"


def test_carry_forward_of_a_point_from_this_inspection_is_refused_with_the_reason(device, offline_walk):
    finding_id = _point(device, offline_walk)
    response = device.send(device.op("carry_forward", {"inspection_id": str(offline_walk["inspection"].id),
                                                       "finding_id": str(finding_id), "outcome": "fixed"}))
    assert response.status_code == 422 and "not carried forward" in response.json["message"]
    assert db.session.scalar(select(CarryForward)) is None


def test_photo_for_a_point_not_yet_on_the_server_is_409(device, offline_walk):
    response = device.send(device.op("photo.add", {"finding_client_id": str(uuid.uuid4()),
                                                   "photo_uuid": str(uuid.uuid4())}), files={"photo": b"x"})
    assert response.status_code == 409 and "not reached the server" in response.json["message"]
