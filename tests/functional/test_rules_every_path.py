"""One set of rules on every path: each sync API operation x inspection/action state x role is
answered as the page form answers the same change (409 state, 403 person), stores nothing and
audits nothing when refused."""
from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import func, select

from inspect_app.actions import services as actions
from inspect_app.actions.models import Action
from inspect_app.alerts.models import FixtureCheck
from inspect_app.api.models import SyncReceipt
from inspect_app.audit.models import AuditEvent
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.findings.models import Finding, FindingGrade
from inspect_app.inspections.models import Answer, InspectionStatus, RoomVisit
from inspect_app.photos.models import Photo
from tests.fixtures.offline import Device, jpeg

LOGINS = {Role.INSPECTOR: "inspector@demo.nhs.test", Role.WARD_MANAGER: "manager@demo.nhs.test",
          Role.SAFETY_LEAD: "safety@demo.nhs.test", Role.ADMIN: "admin@demo.nhs.test"}
WRITERS = {Role.INSPECTOR, Role.ADMIN}
STORED = (AuditEvent, Finding, FindingGrade, Photo, Answer, RoomVisit, FixtureCheck, SyncReceipt)
STATES = ("in_progress", "signed_off", "superseded", "action_closed")


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in STORED}


@pytest.fixture
def scene(offline_walk, make_fixture, request):
    """A graded point in Bedroom 1 of an inspection in the state asked for."""
    state = request.param
    walk = offline_walk
    inspection, inspector = walk["inspection"], walk["inspector"]
    room, now = walk["rooms"]["Bedroom 1"], utcnow()
    finding = findings.record_finding(inspection=inspection, room=room, by=inspector, now=now, category="Door",
                                      description="Door closer arm", likelihood=4, consequence=5)
    if state == "action_closed":
        action = actions.action_for(finding) or actions.ensure_action(finding, by=inspector, now=now)
        action.status = "closed"
    if state in ("signed_off", "superseded"):
        inspection.status = InspectionStatus.SIGNED_OFF if state == "signed_off" else InspectionStatus.SUPERSEDED
        inspection.signed_off_at, inspection.signed_off_by_id = now, inspector.id
    db.session.commit()
    fixture = make_fixture()
    items = walk["items"]("Bedroom 2")
    return {"state": state, "inspection": inspection, "room": room, "other_room": walk["rooms"]["Bedroom 2"],
            "item": items[0], "finding": finding, "fixture": fixture}


def _ops(s) -> dict[str, tuple[dict, dict | None]]:
    i, f = s["inspection"].id, s["finding"].id
    return {
        "answer": ({"inspection_id": i, "room_id": s["other_room"].id, "item_id": s["item"].id,
                    "value": "compliant"}, None),
        "finding.create": ({"inspection_id": i, "room_id": s["room"].id, "client_id": str(uuid.uuid4()),
                            "category": "Window", "description": "Window restrictor", "grade": "2x3"}, None),
        "finding.update": ({"finding_id": f, "description": "Changed after sign-off"}, None),
        "finding.grade": ({"finding_id": f, "grade": "2x2"}, None),
        "photo.add": ({"finding_id": f, "photo_uuid": str(uuid.uuid4())}, {"photo": jpeg(3)}),
        "room.access": ({"inspection_id": i, "room_id": s["other_room"].id, "not_accessible": True,
                         "reason": "Locked"}, None),
        "carry_forward": ({"inspection_id": i, "finding_id": f, "outcome": "fixed"}, None),
        "fixture.check": ({"fixture_id": s["fixture"].id, "result": "pass"}, None),
    }


def _expected(kind: str, state: str, role: Role) -> int:
    if kind == "fixture.check":  # product checks are not part of the inspection record; any role, any time
        return 201
    if role not in WRITERS:
        return 403
    if state in ("signed_off", "superseded"):
        return 409
    if state == "action_closed" and kind == "finding.grade":
        return 409
    if kind == "carry_forward":  # a point of this very inspection is not carried forward into it
        return 422
    return 201 if kind in ("finding.create", "photo.add") else 200


@pytest.mark.parametrize("scene", STATES, indirect=True)
@pytest.mark.parametrize("role", list(LOGINS))
def test_every_operation_in_every_state_for_every_role_follows_the_form_rules(auth, scene, role):
    auth.login(LOGINS[role])
    device = Device(auth)
    finding = scene["finding"]
    for kind, (payload, files) in _ops(scene).items():
        expected = _expected(kind, scene["state"], role)
        before = _counts()
        text, band = finding.description, finding.band
        response = device.send(device.op(kind, payload), files=files)
        assert response.status_code == expected, (kind, scene["state"], role, response.get_json())
        db.session.expire_all()
        if expected >= 400:
            assert response.json["message"], kind
            assert _counts() == before, (kind, scene["state"], role)  # nothing stored, nothing audited
            assert (finding.description, finding.band) == (text, band)


@pytest.mark.parametrize("scene", ["signed_off", "action_closed"], indirect=True)
def test_the_page_forms_refuse_the_same_changes_with_the_same_status(auth, scene):
    auth.login(LOGINS[Role.INSPECTOR])
    finding = scene["finding"]
    page = f"/ligature-points/{finding.id}"
    before = _counts()
    grade = auth.post(f"{page}/grade", {"finding_id": finding.id, "grade": "2x2"}, page=page)
    assert grade.status_code == 409
    if scene["state"] == "signed_off":
        edit = auth.post(f"{page}/edit", {"finding_id": finding.id, "description": "x", "category": "Door"},
                         page=page)
        photo = auth.post("/photos/add", {"finding_id": finding.id, "photo": (io.BytesIO(jpeg(4)), "p.jpg")},
                          page=page, content_type="multipart/form-data")
        answer = auth.post("/inspections/answer", {"inspection_id": scene["inspection"].id,
                                                   "room_id": scene["other_room"].id,
                                                   "item_id": scene["item"].id, "value": "compliant"}, page=page)
        assert (edit.status_code, photo.status_code, answer.status_code) == (409, 409, 409)
    assert _counts() == before


@pytest.mark.parametrize("scene", ["action_closed"], indirect=True)
def test_a_closed_actions_band_is_kept_when_its_point_is_graded_again(scene, offline_walk):
    finding = scene["finding"]
    action = db.session.scalar(select(Action).where(Action.finding_id == finding.id))
    band = action.band
    with pytest.raises(findings.FindingReadOnly):
        findings.grade_finding(finding, 2, 2, by=offline_walk["inspector"], now=utcnow())
    db.session.rollback()
    # the residual grade of a risk acceptance or a low-level change still grades the point...
    findings.apply_grade(finding, 2, 2, kind="regrade", by=offline_walk["inspector"], now=utcnow())
    db.session.flush()
    assert finding.band != band and action.band == band  # ...but the closed action keeps its band


@pytest.mark.parametrize("scene", ["signed_off"], indirect=True)
def test_only_the_lead_inspector_or_a_safety_lead_can_start_a_correction(auth, scene, make_user):
    inspection = scene["inspection"]
    page = f"/inspections/{inspection.id}/sign-off"
    make_user("inspector", email="colleague@example.test")
    auth.login("colleague@example.test", "a-long-test-password-42")
    assert "Start a correction" not in auth.client.get(page).get_data(as_text=True)
    before = _counts()
    refused = auth.post(f"/inspections/{inspection.id}/correction", {"reason": "Mine now"}, page=page)
    assert refused.status_code == 403 and _counts() == before
    auth.logout()
    auth.login(LOGINS[Role.SAFETY_LEAD])
    started = auth.post(f"/inspections/{inspection.id}/correction", {"reason": "Wrong room recorded"}, page=page)
    assert started.status_code == 302
    db.session.expire_all()
    new = db.session.scalars(select(type(inspection)).where(type(inspection).corrects_id == inspection.id)).one()
    assert new.lead_inspector_id == inspection.lead_inspector_id  # the lead still leads and signs


@pytest.mark.parametrize("scene", ["signed_off"], indirect=True)
def test_the_import_of_unsent_items_refuses_the_same_changes(auth, scene):
    from inspect_app.api.exchange import FORMAT

    auth.login(LOGINS[Role.INSPECTOR])
    device = Device(auth)
    finding = scene["finding"]
    items = [device.op("finding.update", {"finding_id": finding.id, "description": "Imported after sign-off"}),
             device.op("finding.grade", {"finding_id": finding.id, "grade": "1x1"})]
    before = _counts()
    report = auth.json("POST", "/api/v1/import", {"format": FORMAT, "items": items}).json
    assert report["refused"] == 2 and [line["status_code"] for line in report["items"]] == [409, 409]
    assert _counts() == before
