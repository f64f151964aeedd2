"""Worked examples for the demo (``make run``), made through the same services as the pages, so the
assurance rules can be seen at once. Everything is invented.

- Willow Ward (PICU): a routine check answered "not applicable" everywhere within seconds and signed
  by the inspector alone. Its rooms are flagged "needs a second look", the ward stays due for its
  annual assessment, and no alert calls it assessed.
- Larch Ward: a full annual assessment signed by the lead inspector and the ward manager. Its
  curtain-rail point (Extreme) was risk-accepted (proposed by the patient safety lead, approved by
  the risk approver), and its registered collapsible track failed a check yesterday, which raised
  an Extreme action at once: the EFA/2019/003 evidence is not "all actions closed" and lists both.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from inspect_app.actions import transitions
from inspect_app.actions.models import Action
from inspect_app.alerts import queries
from inspect_app.alerts.models import Alert
from inspect_app.alerts.services import add_fixture, record_check
from inspect_app.auth.models import User
from inspect_app.estates.models import Room, Trust, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.inspections import answering, signing
from inspect_app.inspections import services as inspections
from inspect_app.inspections.assurance import flags_for


def seed_examples(trust: Trust, *, now: datetime, password: str) -> None:
    """Add the two worked examples to the freshly seeded demo trust (``password``: the demo accounts')."""
    people = {u.role: u for u in db.session.scalars(select(User))}
    inspector, manager, lead = people["inspector"], people["ward_manager"], people["safety_lead"]
    wards = {w.name: w for w in db.session.scalars(select(Ward))}

    def answer_all(inspection, ward: Ward, value: str, start: datetime) -> None:
        for n, room in enumerate(ward.active_rooms):
            for item in inspections.room_items(inspection, room):
                answering.record_answer(inspection=inspection, room=room, item=item, value=value, by=inspector,
                                        now=start + timedelta(seconds=n),
                                        na_reason="not_present" if value == "not_applicable" else None)

    def sign(inspection, by: User, at: datetime, capacity: str) -> None:
        keys = [flag.key for flag in flags_for(inspection)]
        signing.sign_off(inspection=inspection, password=password, attestation="Demo example", by=by, now=at,
                         capacity=capacity, acknowledged=keys)

    # Willow Ward: the routine check that must not pass for an assessment.
    willow = wards["Willow Ward"]
    start = now - timedelta(days=3)
    routine = inspections.start_inspection(ward=willow, inspection_type="routine", team=[inspector.name],
                                           by=inspector, now=start)
    answer_all(routine, willow, "not_applicable", start)
    sign(routine, inspector, start + timedelta(seconds=40), "lead")

    # Larch Ward: a real annual assessment, then an accepted risk and a failed rail check.
    larch = wards["Larch Ward"]
    start = now - timedelta(days=20)
    annual = inspections.start_inspection(ward=larch, inspection_type="annual",
                                          team=[inspector.name, {"name": manager.name, "role": "Ward manager"}],
                                          by=inspector, now=start)
    efa = db.session.scalar(select(Alert).where(Alert.reference == "EFA/2019/003"))
    room = db.session.scalar(select(Room).where(Room.ward_id == larch.id, Room.name == "Bedroom 1"))
    cited = queries.cited_item_ids(efa.id) if efa else set()
    item = next((i for i in inspections.room_items(annual, room) if i.id in cited), None)
    point = findings.record_finding(
        inspection=annual, room=room, item=item, category=item.category if item else "Curtain rail",
        description="Fixed curtain track above the bed bay", location="Ceiling, bed-bay side",
        existing_controls="Hourly observation", recommended_action="Replace with a collapsible track",
        likelihood=4, consequence=5, by=inspector, now=start)
    for n, each in enumerate(larch.active_rooms):
        for checklist_item in inspections.room_items(annual, each):
            value = "ligature_point" if checklist_item.id == getattr(item, "id", None) and each.id == room.id \
                else "pass" if checklist_item.is_check else "compliant"
            answering.record_answer(inspection=annual, room=each, item=checklist_item, value=value, by=inspector,
                                    now=start + timedelta(minutes=2 * n, seconds=20 * checklist_item.order))
    sign(annual, inspector, start + timedelta(hours=3), "lead")
    sign(annual, manager, start + timedelta(hours=5), "clinical")
    action = db.session.scalar(select(Action).where(Action.finding_id == point.id))
    if action is not None and action.status != "risk_accepted":
        # Two people (a safety lead proposes, a risk approver approves); the residual keeps the
        # consequence; an Extreme acceptance is reviewed within the policy's month.
        transitions.transition(action, "risk_accepted", by=lead, now=now - timedelta(days=10),
                               fields={"rationale": "Bay is within constant sight of the nursing station",
                                   "residual_grade": (1, 5), "review_date": (now + timedelta(days=20)).date()})
        transitions.approve_acceptance(action, by=people["risk_approver"], now=now - timedelta(days=9))
    track = add_fixture(room, kind="curtain_rail", label="Collapsible bed-bay track", interval_days=30, alert=efa,
                        by=inspector, now=now - timedelta(days=40))
    record_check(track, result="fail", notes="Did not release under load", by=inspector, now=now - timedelta(days=1))
    db.session.flush()
