"""Each scenario of issue 14 ("Why") through the real services and pages: load-bearing points,
floors, residual grades, band rises, typed interim controls, escalation, two-person acceptance,
failed product checks and the risk-register export."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from inspect_app.actions import services as actions
from inspect_app.actions import transitions
from inspect_app.audit.models import AuditEvent
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import TransitionError
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.inspections import services as inspections
from inspect_app.notifications.models import Notification
from tests.fixtures.remediation import NOT_BEARING


def _point(people, demo, *, ward="Larch Ward", room="Main corridor", now=None, **values):
    now = now or utcnow()
    ward_obj = db.session.get(Ward, demo["wards"][ward])
    inspection = inspections.in_progress_for(ward_obj.id) or inspections.start_inspection(
        ward=ward_obj, inspection_type="annual", team=["Sam Okafor"], by=people["inspector"], now=now)
    room_obj = db.session.scalar(select(Room).where(Room.ward_id == ward_obj.id, Room.name == room))
    values.setdefault("category", "Handrails")
    values.setdefault("description", "Handrail")
    finding = findings.record_finding(inspection=inspection, room=room_obj, by=people["inspector"], now=now, **values)
    db.session.commit()
    return finding


def test_low_handrail_in_a_tier_2_corridor_is_high_with_every_reason_kept(people, demo):
    finding = _point(people, demo, description="Handrail 300 mm above the floor", low_level=True,
                     load_bearing="partial", likelihood=2, consequence=3,
                     consequence_reason="Rail brackets shear under 20 kg (tested)")
    grade = finding.grades[-1]
    assert (finding.score, grade.calculated_band, finding.band) == (6, "moderate", "high")
    assert any("Tier 2" in r for r in grade.reasons) and any("partial-suspension" in r for r in grade.reasons)
    assert grade.consequence_reason == "Rail brackets shear under 20 kg (tested)"
    action = actions.ensure_action(finding, by=people["inspector"], now=utcnow())
    assert action.band == "high" and action.interim_by is not None  # an interim control is now required


def test_a_load_bearing_point_below_catastrophic_needs_a_reason_and_not_load_bearing_needs_one_too(people, demo):
    with pytest.raises(findings.FindingError, match="Catastrophic"):
        _point(people, demo, load_bearing="full", likelihood=3, consequence=4)
    db.session.rollback()
    with pytest.raises(findings.FindingError, match="cannot bear a ligature"):
        _point(people, demo, load_bearing="none", likelihood=3, consequence=2)
    db.session.rollback()
    ok = _point(people, demo, likelihood=3, consequence=2, **NOT_BEARING)
    assert ok.band == "moderate" and ok.load_bearing_reason == "Collapses under 1 kg (tested)"


def test_form_asks_load_bearing_first_and_shows_guidance_and_the_floor(walkthrough):
    room = walkthrough.room("Main corridor")
    page = walkthrough.client.get(f"/ligature-points/new?inspection_id={walkthrough.inspection_id}&room_id={room.id}")
    html = page.get_data(as_text=True)
    assert html.index("Can this point bear a ligature?") < html.index("Risk grade: tap one cell")
    assert "fully or partly suspended (kneeling, sitting or lying), at any height" in html  # consequence 5 guidance
    assert "a load-bearing point is graded at least High" in html
    refused = walkthrough.record(room, grade="2x3", load_bearing="", consequence_reason="")
    assert refused.status_code == 422 and "Say whether the point can bear a ligature." in refused.get_data(as_text=True)
    refused = walkthrough.record(room, grade="2x3", load_bearing="full", consequence_reason="")
    assert refused.status_code == 422 and "Say why you chose a lower consequence" in refused.get_data(as_text=True)
    saved = walkthrough.record(room, grade="2x3", load_bearing="partial", consequence_reason="Gives way at 20 kg")
    assert saved.status_code == 302
    finding_id = int(saved.headers["Location"].rsplit("finding-", 1)[1])
    detail = walkthrough.client.get(f"/ligature-points/{finding_id}").get_data(as_text=True)
    assert "Why this grade" in detail and "Consequence below Catastrophic because: Gives way at 20 kg" in detail
    assert "Initial" in detail and "Target" in detail


def test_patient_group_and_observation_raise_the_minimum_and_the_trust_can_override(app, people, demo, tmp_path):
    juniper = _point(people, demo, ward="Juniper Ward", room="Day room", load_bearing="full", likelihood=1,
                     consequence=5)  # CAMHS: at least High by default (T2 as well)
    assert juniper.band == "high" and any("patient group" in r for r in juniper.grades[-1].reasons)
    path = tmp_path / "grading.json"
    path.write_text(json.dumps({"patient_group_floors": {"acute": "extreme"}}))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["grading", "set", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    larch = _point(people, demo, room="Day room", load_bearing="full", likelihood=1, consequence=5)
    assert larch.band == "extreme"
    larch.room.observation = "unobserved"
    db.session.commit()
    assert runner.invoke(args=["grading", "reset"]).exit_code == 0
    db.session.expire_all()
    again = _point(people, demo, room="Day room", load_bearing="full", likelihood=1, consequence=5)
    assert again.band == "high" and any("unobserved" in r for r in again.grades[-1].reasons)
    path.write_text(json.dumps({"tier_floors": {"T7": "high"}}))
    refused = runner.invoke(args=["grading", "set", str(path)])
    assert refused.exit_code != 0 and "Not a usable grading policy" in refused.output


def test_residual_consequence_below_the_original_is_refused(make_action, people):
    action = make_action()  # 4 x 5
    with pytest.raises(actions.ActionError, match="likelihood only"):
        transitions.transition(action, "risk_accepted", by=people["safety_lead"], now=utcnow(), fields={
            "rationale": "Observation", "residual_grade": (1, 2), "review_date": utcnow().date() + timedelta(days=7)})


def test_regrade_to_25_brings_deadlines_forward_notifies_and_audits(make_action, people):
    now = utcnow()
    action = make_action(likelihood=2, consequence=3, room="Day room", now=now - timedelta(days=2), **NOT_BEARING)
    actions.assign_owner(action, owner=people["inspector"], by=people["safety_lead"], now=now)
    assert action.band == "moderate"
    old_target, old_interim = action.target_date, action.interim_by
    finding = action.finding
    finding.load_bearing = "full"
    actions.regrade(action, 5, 5, by=people["inspector"], now=now, comment="Rail does not collapse")
    db.session.commit()
    assert action.band == "extreme"
    assert action.target_date == now.date() + timedelta(days=7) and action.target_date < old_target
    assert action.interim_by <= old_interim and action.interim_by <= now
    to = {n.to_address for n in db.session.scalars(select(Notification).where(Notification.kind == "band_raised"))}
    assert {"manager@demo.nhs.test", "safety@demo.nhs.test", "inspector@demo.nhs.test"} <= to
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.band_raised"))
    assert audit.old["band"] == "moderate" and audit.new["band"] == "extreme"
    # a later re-grade down and up again never lengthens what is already shorter
    actions.regrade(action, 2, 5, by=people["inspector"], now=now, comment="Observation")
    actions.regrade(action, 3, 5, by=people["inspector"], now=now + timedelta(days=1), comment="Back up")
    assert action.target_date == now.date() + timedelta(days=7)


def test_vigilance_is_not_an_interim_control_and_escalation_needs_one(make_action, people, auth):
    action = make_action()
    base = f"/actions/{action.id}"
    auth.login("manager@demo.nhs.test")
    review = (utcnow() + timedelta(days=3)).date().isoformat()
    refused = auth.post(f"{base}/move/interim_control", {
        "interim_control-control_type": "other", "interim_control-control": "Staff to be more vigilant",
        "interim_control-control_by": "Charge nurse", "interim_control-review_date": review}, page=base)
    assert refused.status_code == 400 and "vigilance" in refused.get_data(as_text=True)
    refused = auth.post(f"{base}/move/escalated", {"escalated-reference": "DATIX-RR-101"}, page=base)
    assert refused.status_code == 409 and "interim control in place before escalating" in refused.get_data(as_text=True)
    saved = auth.post(f"{base}/move/interim_control", {
        "interim_control-control_type": "enhanced_observation", "interim_control-control_level": "arms_length",
        "interim_control-control": "Within arm's length in the en-suite", "interim_control-control_by": "Charge nurse",
        "interim_control-review_date": review}, page=base)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert auth.post(f"{base}/move/escalated", {"escalated-reference": "DATIX-RR-101"}, page=base).status_code == 302
    db.session.expire_all()
    assert (action.interim_control_type, action.interim_observation_level, action.risk_register_ref) == (
        "enhanced_observation", "arms_length", "DATIX-RR-101")


def test_expired_interim_control_shows_on_the_list_home_and_digest(make_action, people, auth, app):
    from inspect_app.notifications.services import queue_digest

    now = utcnow()
    action = make_action(now=now - timedelta(days=10))
    transitions.transition(action, "interim_control", by=people["ward_manager"], now=now - timedelta(days=10), fields={
        "control_type": "access_removed", "control": "Bedroom locked", "control_by": "Charge nurse",
        "review_date": (now - timedelta(days=4)).date()})
    db.session.commit()
    auth.login("manager@demo.nhs.test")
    home = auth.client.get("/").get_data(as_text=True)
    assert "Interim control expired" in home and 'href="/actions/?need=interim-expired"' in home
    listed = auth.client.get("/actions/?need=interim-expired").get_data(as_text=True)
    assert "1 action matches" in listed and "Interim control expired (review was due" in listed
    queue_digest(now=now)
    digest = db.session.scalar(select(Notification).where(Notification.kind == "digest",
                                                          Notification.to_address == "manager@demo.nhs.test"))
    assert "interim control expired" in digest.body


def test_extreme_risk_needs_a_lead_proposal_and_a_different_approver(make_action, people, auth, make_user):
    action = make_action()
    now = utcnow()
    fields = {"rationale": "Continuous observation until refit", "residual_grade": (2, 5),
              "review_date": now.date() + timedelta(days=60)}
    with pytest.raises(actions.ActionError, match="within 31 days"):
        transitions.transition(action, "risk_accepted", by=people["safety_lead"], now=now, fields=fields)
    db.session.rollback()
    fields["review_date"] = now.date() + timedelta(days=28)
    transitions.transition(action, "risk_accepted", by=people["safety_lead"], now=now, fields=fields)
    db.session.commit()
    assert action.status == "open" and action.proposed_by_id == people["safety_lead"].id
    assert db.session.scalar(select(Notification).where(Notification.kind == "acceptance_proposed",
                                                        Notification.to_address == "approver@demo.nhs.test"))
    with pytest.raises(TransitionError):  # the lead cannot approve their own proposal
        transitions.approve_acceptance(action, by=people["safety_lead"], now=now)
    db.session.rollback()
    base = f"/actions/{action.id}"
    auth.login("approver@demo.nhs.test")
    page = auth.client.get(base).get_data(as_text=True)
    assert "Awaiting a risk approver" in page and "Approve acceptance" in page
    response = auth.post(f"{base}/approve", {"approve-comment": "Quality committee, minute 12"}, page=base)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert action.status == "risk_accepted" and action.approved_by_id == people["risk_approver"].id
    assert action.finding.band == "high"  # residual 2 x 5 = 10 in a Tier 2 room: never below the floor
    # it returns to the lists when its review falls due
    action.accepted_review_date = now.date()
    db.session.commit()
    auth.logout()
    auth.login("safety@demo.nhs.test")
    listed = auth.client.get("/actions/?status=all&need=review-due").get_data(as_text=True)
    assert action.ref in listed and "Accepted risk due for review" in listed


def test_failed_product_check_raises_an_extreme_action_and_tells_people(make_fixture, people, auth):
    from inspect_app.alerts import services as alerts

    fixture = make_fixture("Larch Ward", "Bedroom 1")
    now = utcnow()
    alerts.record_check(fixture, result="fail", notes="Rail did not release under load", by=people["inspector"],
                        now=now)
    db.session.commit()
    assert fixture.finding_id is not None
    action = actions.action_for(db.session.get(findings.Finding, fixture.finding_id))
    assert action.band == "extreme" and action.is_open and action.interim_by <= now
    to = {n.to_address for n in db.session.scalars(select(Notification).where(Notification.action_id == action.id))}
    assert {"manager@demo.nhs.test", "safety@demo.nhs.test"} <= to
    auth.login("safety@demo.nhs.test")
    home = auth.client.get("/").get_data(as_text=True)
    assert "Failed product checks awaiting repair" in home
    listed = auth.client.get("/actions/?need=failed-check").get_data(as_text=True)
    assert action.ref in listed
    # a second failure re-uses the same point and action
    alerts.record_check(fixture, result="fail", notes="Still does not release", by=people["inspector"], now=now)
    db.session.commit()
    assert actions.action_for(db.session.get(findings.Finding, fixture.finding_id)).id == action.id


def test_risk_register_export_has_the_fields_an_administrator_imports(make_action, people, auth):
    action = make_action()
    now = utcnow()
    transitions.transition(action, "interim_control", by=people["ward_manager"], now=now, fields={
        "control_type": "access_removed", "control": "Bedroom locked", "control_by": "Charge nurse",
        "review_date": now.date() + timedelta(days=5)})
    transitions.transition(action, "escalated", by=people["safety_lead"], now=now, fields={"reference": "RR-0042"})
    make_action(room="Quiet room", description="Not on the register")
    db.session.commit()
    auth.login("safety@demo.nhs.test")
    rows = list(csv.DictReader(io.StringIO(auth.client.get("/exports/risk-register.csv").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert [r["id"] for r in rows] == [action.ref]
    row = rows[0]
    assert (row["initial_score"], row["current_score"], row["target_score"], row["register_reference"]) == (
        "20", "20", "5", "RR-0042")
    assert "Patient access removed" in row["controls"] and row["status"] == "Escalated to risk register"
    data = auth.client.get("/exports/risk-register.json").get_json()
    assert data["risks"][0]["review_date"] == (now.date() + timedelta(days=5)).isoformat()
    auth.logout()
    auth.login("inspector@demo.nhs.test")
    assert auth.client.get("/exports/risk-register.csv").status_code == 403


def test_failed_check_of_an_alerts_product_is_in_the_alerts_evidence(make_fixture, make_alert, people):
    from inspect_app.alerts import evidence
    from inspect_app.alerts import services as alerts

    alert = make_alert()
    fixture = make_fixture("Larch Ward", "Bedroom 1")
    fixture.alert_id = alert.id
    alerts.record_check(fixture, result="fail", notes="Track did not collapse", by=people["inspector"], now=utcnow())
    db.session.commit()
    report = evidence.collect(alert, trust="Demo", by=people["safety_lead"], now=utcnow(), area_names={})
    larch = next(w for w in report.wards if w.name == "Larch Ward")
    point = next(p for p in larch.points if p.item == "Failed product check")
    assert point.band == "Extreme" and point.action_open and "Track did not collapse" in point.description


def test_tracker_prints_initial_current_and_target_grade(make_action, people, auth):
    from tests.fixtures.reports import fetch_pdf, pdf_pages

    action = make_action()
    actions.regrade(action, 5, 5, by=people["inspector"], now=utcnow(), comment="Worse than thought")
    db.session.commit()
    auth.login("safety@demo.nhs.test")
    text = " ".join(" ".join(pdf_pages(fetch_pdf(auth.client, "/reports/tracker.pdf?status=open").data)).split())
    assert "Initial 20 Extreme · current 25 Extreme · target 5 Moderate" in text


def test_sync_api_takes_load_bearing_and_reasons_through_the_same_rules(device, offline_walk):
    import uuid

    base = {"inspection_id": str(offline_walk["inspection"].id), "room_id": str(offline_walk["rooms"]["Main corridor"].id),
            "category": "Handrails", "description": "Low handrail", "low_level": "1", "grade": "2x3"}
    refused = device.send(device.op("finding.create", {**base, "load_bearing": "partial",
                                                       "client_id": str(uuid.uuid4())}))
    assert refused.status_code == 422 and "lower consequence" in refused.get_data(as_text=True)
    saved = device.send(device.op("finding.create", {**base, "load_bearing": "partial", "client_id": str(uuid.uuid4()),
                                                     "consequence_reason": "Shears at 20 kg"}))
    assert saved.status_code == 201 and saved.json["result"]["band"] == "high"
    assert saved.json["result"]["load_bearing"] == "partial"
    finding_id = saved.json["result"]["finding_id"]
    regraded = device.send(device.op("finding.grade", {"finding_id": str(finding_id), "grade": "2x4"}))
    assert regraded.status_code == 422  # a new consequence needs its own reason
    regraded = device.send(device.op("finding.grade", {"finding_id": str(finding_id), "grade": "2x4",
                                                       "consequence_reason": "Shears at 40 kg"}))
    assert regraded.status_code == 200 and regraded.json["result"]["band"] == "high"
    bad = device.send(device.op("finding.update", {"finding_id": str(finding_id), "load_bearing": "sometimes"}))
    assert bad.status_code == 422


def test_accepted_risk_due_for_review_comes_back_and_the_dashboard_flags_expiry(make_action, people, auth):
    action = make_action(likelihood=2, consequence=2, room="Quiet room", description="Accepted low", **NOT_BEARING)
    now = utcnow()
    transitions.transition(action, "risk_accepted", by=people["safety_lead"], now=now, fields={
        "rationale": "Staff-only after refit", "residual_grade": (1, 2), "review_date": now.date() + timedelta(days=30)})
    db.session.commit()
    auth.login("safety@demo.nhs.test")
    assert "Accepted low" not in auth.client.get("/actions/?status=all&need=review-due").get_data(as_text=True)
    action.accepted_review_date = now.date()  # due today: back on the list (not the day after)
    db.session.commit()
    listed = auth.client.get("/actions/?status=all&need=review-due").get_data(as_text=True)
    assert "Accepted low" in listed and "Accepted risk due for review" in listed
    home = auth.client.get("/").get_data(as_text=True)
    assert 'href="/actions/?status=all&amp;need=review-due"' in home
    dashboard = auth.client.get("/dashboard/").get_data(as_text=True)
    assert "Interim control expired (review date passed)" in dashboard


def test_capture_rules_name_the_grading_fields_and_only_the_form_requires_the_answer(ctx):
    import json as _json

    from inspect_app.api import rules

    base = {"category": "Handrails", "grade": "2x3", "description": "Low rail"}
    assert rules.problems("finding.create", base) == []  # an older device's point: accepted, graded fail-safe
    [problem] = rules.problems("finding.create", {**base, "load_bearing": "none"})
    assert problem.field == "load_bearing_reason"
    [problem] = rules.problems("finding.create", {**base, "load_bearing": "partial", "consequence_reason": " "})
    assert problem.field == "consequence_reason"
    assert rules.problems("finding.create", {**base, "load_bearing": "partial", "consequence_reason": "Tested"}) == []
    form = _json.loads(str(rules.form_rules("finding.create")).replace("&#34;", '"'))
    assert "load_bearing" in form["required"] and "" not in form["properties"]["load_bearing"]["enum"]
