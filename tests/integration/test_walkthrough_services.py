"""Core walk-through services over a real database: start, answer, grade, sign-off, actions."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.actions.models import Action
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.inspections import services as inspections
from inspect_app.inspections.walk import ward_progress


@pytest.fixture
def walk(demo):
    inspector = db.session.get(User, demo["users"]["inspector"])
    ward = db.session.get(Ward, demo["wards"]["Larch Ward"])
    inspection = inspections.start_inspection(ward=ward, inspection_type="annual",
                                              team=["Sam Okafor", {"name": "Ana Ward", "role": "Nurse"}],
                                              by=inspector, now=utcnow())
    db.session.commit()
    return inspector, ward, inspection


def test_extreme_point_becomes_an_action_at_once(walk):
    inspector, ward, inspection = walk
    room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Bedroom 1"))
    item = inspections.room_items(inspection, room)[0]
    finding = findings.record_finding(inspection=inspection, room=room, item=item, description="Door closer arm",
                                      likelihood=4, consequence=5, by=inspector, now=utcnow())
    assert finding.band == "extreme" and finding.score == 20
    action = db.session.scalar(select(Action).where(Action.finding_id == finding.id))
    assert action is not None and action.interim_by is not None


def test_tier3_low_score_is_graded_high_and_actioned_at_sign_off(walk):
    inspector, ward, inspection = walk
    room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Bedroom 2"))
    finding = findings.record_finding(inspection=inspection, room=room, category="Furniture",
                                      description="Bed frame gap", likelihood=1, consequence=2,
                                      by=inspector, now=utcnow())
    assert finding.band == "high" and finding.grades[0].calculated_band == "low"
    assert db.session.scalar(select(Action).where(Action.finding_id == finding.id)) is None
    with pytest.raises(inspections.InspectionError, match="Cannot sign off"):
        inspections.sign_off(inspection=inspection, signature_name="Sam Okafor", attestation="", by=inspector,
                             now=utcnow())
    now = utcnow()
    for status in ward_progress(inspection):
        for item in inspections.room_items(inspection, status.room):
            inspections.record_answer(inspection=inspection, room=status.room, item=item, value="compliant",
                                      by=inspector, now=now)
    created = inspections.sign_off(inspection=inspection, signature_name="Sam Okafor", attestation="True record",
                                   by=inspector, now=utcnow())
    assert [a.finding_id for a in created] == [finding.id]
    assert inspection.is_read_only
    with pytest.raises(findings.FindingError, match="read-only"):
        findings.record_finding(inspection=inspection, room=room, category="Furniture", by=inspector, now=utcnow())
