"""Core walk-through services over a real database: start, answer, grade, sign-off, actions."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.actions.models import Action
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.domain.risk import Band
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.inspections import answering
from inspect_app.inspections import services as inspections
from inspect_app.inspections.walk import ward_progress
from tests.signing import sign_fully


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
        sign_fully(inspection, lead=inspector, now=utcnow())
    now = utcnow()
    for status in ward_progress(inspection):
        for item in inspections.room_items(inspection, status.room):
            answering.record_answer(inspection=inspection, room=status.room, item=item, value=item.passing_answer,
                                    by=inspector, now=now)
    created = sign_fully(inspection, lead=inspector, now=utcnow(), attestation="True record")
    assert [a.finding_id for a in created] == [finding.id]
    assert inspection.is_read_only
    with pytest.raises(findings.FindingError, match="read-only"):
        findings.record_finding(inspection=inspection, room=room, category="Furniture", by=inspector, now=utcnow())


def test_ward_progress_counts_each_rooms_points_and_its_most_severe_band(walk):
    """The overview's per-room tallies come from SQL: the highest band is by severity (extreme
    above high), not by spelling, an ungraded point (recorded before a grade was required)
    counts but has no band, and a room's progress counts only its own checklist's answers."""
    inspector, ward, inspection = walk
    rooms = {r.name: r for r in db.session.scalars(select(Room).where(Room.ward_id == ward.id))}
    now = utcnow()
    points = {}
    for room, grades in (("Bedroom 1", [(2, 3), (4, 5), (3, 4)]), ("Day room", [(1, 1)]),
                         ("Bedroom 2", [(3, 4), (2, 3)])):
        for likelihood, consequence in grades:
            points[room] = findings.record_finding(inspection=inspection, room=rooms[room], category="Furniture",
                                                   description="Point", likelihood=likelihood,
                                                   consequence=consequence, by=inspector, now=now)
    legacy = points["Day room"]
    legacy.likelihood = legacy.consequence = legacy.score = legacy.band = None
    item = inspections.room_items(inspection, rooms["Bedroom 1"])[0]
    answering.record_answer(inspection=inspection, room=rooms["Bedroom 1"], item=item, value=item.passing_answer,
                            by=inspector, now=now)
    db.session.commit()
    by_name = {status.room.name: status for status in ward_progress(inspection)}
    assert (by_name["Bedroom 1"].findings, by_name["Bedroom 1"].highest_band) == (3, Band.EXTREME)
    assert (by_name["Bedroom 2"].findings, by_name["Bedroom 2"].highest_band) == (2, Band.HIGH)
    assert (by_name["Day room"].findings, by_name["Day room"].highest_band) == (1, None)
    assert by_name["Bedroom 1"].progress.answered == 1
    assert by_name["Bedroom 1"].progress.total == len(inspections.room_items(inspection, rooms["Bedroom 1"]))
    assert by_name["Bedroom 1"].state.value == "in_progress"
    assert all(s.findings == 0 and s.highest_band is None for n, s in by_name.items()
               if n not in {"Bedroom 1", "Bedroom 2", "Day room"})
