"""Ligature incidents through the pages: by hand (re-grade, action, notification, re-assessment
flag), NHS numbers refused, ward scoping, and the "find the point" task on the next inspection."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from inspect_app.actions.models import Action
from inspect_app.checklists import library
from inspect_app.clock import utcnow
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.incidents import queries, services
from inspect_app.incidents.models import Incident
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.notifications.models import Notification
from tests.fixtures.reports import fetch_pdf, pdf_pages


def _chart(page: str, label: str) -> str:
    """A bar chart's rows as the text a reader sees (labels and figures are HTML, bars drawn)."""
    found = re.search(rf'<ul class="hbars" aria-label="{re.escape(label)}">(.*?)</ul>', page, re.S)
    assert found, label
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def _room(ward_id: int, name: str) -> Room:
    return db.session.scalar(select(Room).where(Room.ward_id == ward_id, Room.name == name))


def _form(room: Room, **extra) -> dict:
    when = (utcnow() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    return {"ward_id": room.ward_id, "room_id": room.id, "occurred_at": when, "incident_type": "partially_suspended",
            "outcome": "low", "reference": "DW-88121", "point": "0", "summary": "Tied to the door closer arm", **extra}


def test_incident_at_a_point_regrades_it_brings_its_action_forward_and_tells_the_leads(demo, auth, make_action):
    action = make_action(likelihood=2, consequence=5, room="Day room")  # 10: High, a month or more to fix
    target_before = action.target_date
    finding_id = action.finding_id
    room = db.session.get(Finding, finding_id).room
    assert auth.login("safety@demo.nhs.test").status_code == 302
    response = auth.post("/incidents/new", _form(room, point=str(finding_id)),
                         page=f"/incidents/new?ward_id={room.ward_id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    finding = db.session.get(Finding, finding_id)
    incident = db.session.scalar(select(Incident))
    assert (finding.likelihood, finding.consequence, finding.band) == (4, 5, "extreme")
    assert incident.reference in finding.grades[-1].comment and "it has happened here" in finding.grades[-1].comment
    action = db.session.get(Action, action.id)
    assert action.band == "extreme" and action.target_date < target_before
    leads = db.session.scalars(select(Notification).where(Notification.kind == "incident")).all()
    assert [n.to_address for n in leads] == ["safety@demo.nhs.test"]
    assert "Tied to" not in leads[0].body  # the summary stays behind the sign-in
    page = auth.client.get("/incidents/").get_data(as_text=True)
    assert "Wards to re-assess after an incident" in page and "Larch Ward" in page


def test_values_like_an_nhs_number_are_refused_and_nothing_is_saved(demo, auth):
    room = _room(demo["wards"]["Larch Ward"], "Bedroom 2")
    auth.login("safety@demo.nhs.test")
    for field, value in (("summary", "Patient 943 476 5919 found"), ("reference", "9434765919")):
        response = auth.post("/incidents/new", _form(room, **{field: value}),
                             page=f"/incidents/new?ward_id={room.ward_id}")
        assert response.status_code == 400
        assert "looks like an NHS number" in response.get_data(as_text=True)
    assert db.session.scalar(select(Incident)) is None


def test_ward_manager_records_on_their_own_wards_only(demo, auth):
    auth.login("manager@demo.nhs.test")
    own = _room(demo["wards"]["Larch Ward"], "Bedroom 1")
    other = _room(demo["wards"]["Hazel Ward"], "Bedroom 1")
    assert auth.client.get(f"/incidents/new?ward_id={other.ward_id}").status_code == 404
    response = auth.post("/incidents/new", _form(other), page="/incidents/")
    assert response.status_code == 404
    response = auth.post("/incidents/new", _form(own, reference=""), page="/incidents/")
    assert response.status_code == 302
    assert db.session.scalar(select(Incident.ward_id)) == own.ward_id


def test_a_duplicate_reference_is_refused(demo, auth):
    room = _room(demo["wards"]["Larch Ward"], "Bedroom 2")
    auth.login("safety@demo.nhs.test")
    assert auth.post("/incidents/new", _form(room), page="/incidents/").status_code == 302
    response = auth.post("/incidents/new", _form(room), page="/incidents/")
    assert response.status_code == 400 and "already recorded" in response.get_data(as_text=True)


def test_incident_with_no_point_is_found_on_the_next_inspection_of_the_room(demo, people, walkthrough):
    room = walkthrough.room("Bedroom 3")
    incident = services.record_incident(services.IncidentInput(
        room=room, occurred_at=utcnow() - timedelta(days=1), incident_type="fully_suspended", outcome="moderate",
        reference="DW-1", fixture_category="Wardrobe door"), by=people["safety_lead"], now=utcnow())
    db.session.commit()
    page = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    assert "Find the point: 1 incident(s) in this room" in page and "DW-1" in page
    assert walkthrough.record(room, grade="2x5", description="Wardrobe door top edge"
                              ).status_code == 302
    finding = db.session.scalar(select(Finding).where(Finding.room_id == room.id))
    response = walkthrough.auth.post(f"/incidents/{incident.id}/point", {
        "prefix": f"p{incident.id}", f"p{incident.id}-point": finding.id, f"p{incident.id}-note": "",
        f"p{incident.id}-next": walkthrough.room_page(room)}, page=walkthrough.room_page(room))
    assert response.status_code == 302 and response.headers["Location"].endswith(walkthrough.room_page(room))
    db.session.expire_all()
    finding = db.session.get(Finding, finding.id)
    assert finding.likelihood == 4 and finding.band == "extreme"
    assert db.session.get(Incident, incident.id).finding_id == finding.id
    assert "Find the point" not in walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    detail = walkthrough.client.get(f"/ligature-points/{finding.id}").get_data(as_text=True)
    assert "Ligature incidents at this point (1)" in detail and "DW-1" in detail
    assert "it has happened here" in detail  # the grade history gives the incident as the reason


def test_find_the_point_needs_a_point_or_a_reason(demo, people, walkthrough):
    room = walkthrough.room("Bedroom 4")
    incident = services.record_incident(services.IncidentInput(
        room=room, occurred_at=utcnow(), incident_type="near_miss", outcome="no_harm"), by=people["safety_lead"],
        now=utcnow())
    db.session.commit()
    data = {"prefix": "", "point": "0", "note": ""}
    assert walkthrough.auth.post(f"/incidents/{incident.id}/point", data).status_code == 422
    data["note"] = "Curtain track removed before the inspection; nothing left to anchor to"
    assert walkthrough.auth.post(f"/incidents/{incident.id}/point", data).status_code == 302
    assert walkthrough.auth.post(f"/incidents/{incident.id}/point", data).status_code == 409


def test_dashboard_pictures_incidents_next_to_open_points_and_trust_checks(demo, people, auth, make_action):
    action = make_action(likelihood=2, consequence=5, room="Day room")
    finding = db.session.get(Finding, action.finding_id)
    now = utcnow()
    for n, (kind, point) in enumerate((("fully_suspended", finding), ("near_miss", None))):
        services.record_incident(services.IncidentInput(
            room=finding.room, occurred_at=now - timedelta(days=3 + n), incident_type=kind, outcome="low",
            reference=f"DW-{n}", finding=point, fixture_category=None if point else "Door furniture"),
            by=people["safety_lead"], now=now)
    services.record_incident(services.IncidentInput(  # over 12 months ago: not in the picture
        room=finding.room, occurred_at=now - timedelta(days=400), incident_type="near_miss", outcome="low"),
        by=people["safety_lead"], now=now)
    db.session.commit()
    auth.login("safety@demo.nhs.test")
    page = auth.client.get("/dashboard/").get_data(as_text=True)
    assert "Ligature incidents in the last 12 months (2)" in page
    assert _chart(page, "Incidents by ward") == "Larch Ward 2 incident(s)"
    assert _chart(page, "Incidents by type") == "Fully suspended 1 incident(s) Near miss 1 incident(s)"
    assert _chart(page, "Incidents and open points by fixture category") == (
        "Door furniture 2 incident(s); 1 open point(s)")
    assert "Wards to re-assess after a ligature incident" in page
    # the wards flagged in two statements are those each ward's own "since the last assessment" gives
    wards = db.session.scalars(select(Ward).where(Ward.active.is_(True)).order_by(Ward.name)).all()
    one_by_one = [(w.id, len(found), max(i.occurred_at for i in found)) for w in wards
                  if (found := queries.since_assessment(w.id))]
    assert [(f.ward.id, f.incidents, f.latest) for f in queries.wards_to_reassess(None)] == one_by_one != []
    other = auth.client.get(f"/dashboard/?ward={demo['wards']['Hazel Ward']}").get_data(as_text=True)
    assert "Ligature incidents in the last 12 months (0)" in other


def test_inspection_report_lists_incidents_since_the_last_assessment(demo, people, auth, make_report_inspection):
    made = make_report_inspection()  # previous annual assessment 40 days ago, this one signed 2 days ago
    room = made.rooms[0]
    now = utcnow()
    for ref, days in (("DW-OLD", 50), ("DW-NEW", 10)):
        services.record_incident(services.IncidentInput(
            room=room, occurred_at=now - timedelta(days=days), incident_type="attempt_prevented", outcome="no_harm",
            reference=ref, fixture_category="Window fittings"), by=people["safety_lead"],
            now=now - timedelta(days=days))
    db.session.commit()
    auth.login("safety@demo.nhs.test")
    response = fetch_pdf(auth.client, f"/reports/inspections/{made.inspection.id}.pdf")
    text = " ".join(pdf_pages(response.data)).replace("\n", " ")
    assert "Ligature incidents since the last assessment" in text and ": 1" in text
    assert "DW-NEW" in text and "Attempt prevented" in text and "To be found" in text
    assert "DW-OLD" not in text


def test_no_anchor_incidents_open_no_task_and_a_higher_likelihood_is_kept(demo, people, make_action):
    action = make_action(likelihood=5, consequence=5, room="Day room")
    finding = db.session.get(Finding, action.finding_id)
    grades_before = len(finding.grades)
    at_point = services.record_incident(services.IncidentInput(
        room=finding.room, occurred_at=utcnow(), incident_type="attempt_prevented", outcome="no_harm",
        finding=finding), by=people["safety_lead"], now=utcnow())
    no_anchor = services.record_incident(services.IncidentInput(
        room=finding.room, occurred_at=utcnow(), incident_type="no_anchor", outcome="low"),
        by=people["safety_lead"], now=utcnow())
    db.session.commit()
    assert finding.likelihood == 5 and len(finding.grades) == grades_before  # already above the floor
    assert at_point.finding_id == finding.id and not at_point.needs_point
    assert not no_anchor.needs_point and no_anchor.id not in [i.id for i in queries.open_point_tasks(finding.room_id)]


def _assessment(ward_id: int, kind: str, started, signed, by: int) -> Inspection:
    inspection = Inspection(ward_id=ward_id, template_id=library.current_published().id, inspection_type=kind,
                            status=InspectionStatus.SIGNED_OFF, started_at=started, started_by_id=by,
                            lead_inspector_id=by, signed_off_at=signed, signed_off_by_id=by, team=[])
    db.session.add(inspection)
    db.session.commit()
    return inspection


def test_an_assessment_under_way_when_the_incident_happened_does_not_clear_the_ward(demo, people, auth):
    """The demo's Larch Ward: its annual walk began, an incident happened during it, and it was signed off
    hours later. That walk did not look at the ward after the incident: the ward stays listed on every
    path (incidents page, dashboard, the report's "since the last assessment") until one begun after it."""
    larch, inspector, now = demo["wards"]["Larch Ward"], demo["users"]["inspector"], utcnow()
    start = now - timedelta(days=20)
    _assessment(larch, "annual", start, start + timedelta(hours=5), inspector)
    services.record_incident(services.IncidentInput(
        room=_room(larch, "Bedroom 3"), occurred_at=start + timedelta(minutes=1), incident_type="partially_suspended",
        outcome="low", reference="DW-DURING"), by=people["safety_lead"], now=start + timedelta(minutes=1))
    db.session.commit()
    auth.login("safety@demo.nhs.test")
    for page in ("/incidents/", "/dashboard/"):
        text = auth.client.get(page).get_data(as_text=True)
        assert re.search(r"<strong>Larch Ward</strong> \(Ashdown Hospital\): 1 incident\(s\) since the last "
                         r"assessment began", text), page
    assert [i.reference for i in queries.since_assessment(larch)] == ["DW-DURING"]
    _assessment(larch, "reassessment", now - timedelta(days=2), now - timedelta(days=1), inspector)
    assert queries.wards_to_reassess(None) == [] and queries.since_assessment(larch) == []
    assert "Larch Ward</strong>" not in auth.client.get("/incidents/").get_data(as_text=True)
