""""Recorded in error": who may withdraw a point and when; it leaves the figures and lists, its
action is cancelled (kept), the report (HTML data and PDF) lists it with the reason, all audited;
the sync API and the page go through the same service."""
from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from inspect_app.actions.models import Action, ActionEvent
from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.findings import withdrawal
from inspect_app.findings.models import Finding
from inspect_app.inspections import services as inspections
from inspect_app.inspections.walk import ward_progress
from inspect_app.reports.collect import inspection_report, load_inspection
from inspect_app.reports.pdf.inspection import render_inspection
from tests.signing import sign_fully


@pytest.fixture
def walk(demo):
    inspector = db.session.get(User, demo["users"]["inspector"])
    ward = db.session.get(Ward, demo["wards"]["Larch Ward"])
    inspection = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Sam Okafor"],
                                              by=inspector, now=utcnow())
    room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Bedroom 1"))
    point = findings.record_finding(inspection=inspection, room=room, category="Door furniture",
                                    description="Door closer arm", likelihood=5, consequence=5,
                                    by=inspector, now=utcnow())  # Extreme: an action at once
    db.session.commit()
    return inspector, inspection, room, point


def test_recorder_withdraws_before_sign_off_point_leaves_figures_action_cancelled_audited(walk, make_user):
    inspector, inspection, room, point = walk
    other = make_user("inspector")
    with pytest.raises(findings.FindingError, match="Only the person who recorded"):
        withdrawal.withdraw_finding(point, reason="Duplicate", by=other, now=utcnow())
    with pytest.raises(findings.FindingError, match="recorded in error") as refused:
        withdrawal.withdraw_finding(point, reason="   ", by=inspector, now=utcnow())
    assert refused.value.field == "reason"
    action = db.session.scalar(select(Action).where(Action.finding_id == point.id))
    assert action.status == "open"

    withdrawal.withdraw_finding(point, reason="Same closer as LP-1, recorded twice", by=inspector, now=utcnow())
    db.session.commit()
    assert point.state == "removed" and point.withdrawn_by_id == inspector.id
    assert action.status == "cancelled" and db.session.get(Action, action.id) is not None  # kept, not deleted
    event = db.session.scalars(select(ActionEvent).where(ActionEvent.action_id == action.id)
                               .order_by(ActionEvent.id.desc())).first()
    assert (event.from_status, event.to_status, event.comment) == ("open", "cancelled",
                                                                   "Same closer as LP-1, recorded twice")
    verbs = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.inspection_id == inspection.id)))
    assert {"finding.withdraw"} <= verbs
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "action.cancel")) == 1
    status = {s.room.name: s for s in ward_progress(inspection)}["Bedroom 1"]
    assert (status.findings, status.highest_band) == (0, None)
    with pytest.raises(findings.FindingError, match="already been withdrawn"):
        withdrawal.withdraw_finding(point, reason="again", by=inspector, now=utcnow())

    report = inspection_report(load_inspection(inspection.id), by=inspector, now=utcnow())
    assert report.finding_count == 0 and sum(n for _, n in report.band_counts) == 0 and not report.actions
    assert [(w.ref, w.reason) for w in report.withdrawn] == [(point.ref, "Same closer as LP-1, recorded twice")]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_inspection(report))).pages)
    assert "Withdrawn as recorded in error (1)" in text and "recorded twice" in " ".join(text.split())


def test_after_sign_off_only_a_safety_lead_may_withdraw(walk, demo):
    inspector, inspection, room, point = walk
    for r in ward_progress(inspection):  # every room inaccessible, so it can be signed off quickly
        inspections.set_not_accessible(inspection=inspection, room=r.room, reason="Closed for decoration",
                                       by=inspector, now=utcnow())
    sign_fully(inspection, lead=inspector, now=utcnow(), attestation="True record")
    db.session.commit()
    with pytest.raises(findings.FindingError, match="patient safety lead"):
        withdrawal.withdraw_finding(point, reason="Wrong ward", by=inspector, now=utcnow())
    lead = db.session.get(User, demo["users"]["safety_lead"])
    withdrawal.withdraw_finding(point, reason="Wrong ward", by=lead, now=utcnow())
    db.session.commit()
    report = inspection_report(load_inspection(inspection.id), by=lead, now=utcnow())
    assert [w.withdrawn_by for w in report.withdrawn] == [lead.name]


def test_withdrawal_through_the_sync_api_is_the_same_rule_and_idempotent(device, offline_walk):
    payload = {"inspection_id": str(offline_walk["inspection"].id),
               "room_id": str(offline_walk["rooms"]["Bedroom 1"].id), "client_id": str(uuid.uuid4()),
               "category": "Window", "description": "Restrictor", "grade": "2x3"}
    assert device.send(device.op("finding.create", payload)).status_code == 201
    no_reason = device.send(device.op("finding.withdraw", {"finding_client_id": payload["client_id"], "reason": ""}))
    assert no_reason.status_code == 422 and no_reason.json["field"] == "reason"
    op = device.op("finding.withdraw", {"finding_client_id": payload["client_id"], "reason": "Wrong room"})
    assert device.send(op).status_code == 200
    assert device.send(op).json["replayed"] is True
    again = device.send(device.op("finding.withdraw", {"finding_client_id": payload["client_id"], "reason": "x"}))
    assert again.status_code == 200 and again.json["result"]["state"] == "removed"
    point = db.session.scalar(select(Finding).where(Finding.client_id == payload["client_id"]))
    assert (point.state, point.withdrawn_reason) == ("removed", "Wrong room")
