"""Demo incidents and a trust-wide check in progress, made through the same services as the pages.
Everything is invented: the references are made up and no patient is described.

- Four ligature incidents over the last months on Larch, Rowan and Juniper wards; three used an
  anchor no one has recorded yet, so the next inspection of each room is asked to find the point.
- A trust-wide check of every collapsible curtain track, launched from Larch Ward's failed product
  check: Larch Ward and Rowan Ward have answered, the other wards have not.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from inspect_app.alerts.models import FixtureCheck
from inspect_app.auth.models import User
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.incidents import services as incidents
from inspect_app.learning import services as learning

INCIDENTS = (
    # ward, room, days ago, type, outcome, reference, what was used
    ("Larch Ward", "Bedroom 3", 20, "partially_suspended", "low", "DEMO-DW-24117", "Wardrobe door"),
    ("Rowan Ward", "Assisted bathroom", 45, "attempt_prevented", "no_harm", "DEMO-DW-24152", "Grab rail"),
    ("Juniper Ward", "Bedroom 2 en-suite", 70, "near_miss", "no_harm", "DEMO-LF-0031", "Shower head"),
    ("Larch Ward", "Day room", 120, "no_anchor", "low", "DEMO-DW-23988", None),
)


def _room(wards: dict[str, Ward], ward: str, name: str) -> Room:
    return db.session.scalar(select(Room).where(Room.ward_id == wards[ward].id, Room.name == name))


def seed_learning(*, now: datetime) -> None:
    """Add the demo incidents and the trust-wide check (after the worked examples)."""
    lead = db.session.scalar(select(User).where(User.role == "safety_lead"))
    inspector = db.session.scalar(select(User).where(User.role == "inspector"))
    wards = {w.name: w for w in db.session.scalars(select(Ward))}
    for ward, room, days, kind, outcome, reference, used in INCIDENTS:
        when = now - timedelta(days=days)
        incidents.record_incident(incidents.IncidentInput(
            room=_room(wards, ward, room), occurred_at=when, incident_type=kind, outcome=outcome,
            reference=reference, fixture_category=used,
            summary="Invented demo incident: staff intervened; reviewed at the safety huddle."), by=lead, now=when)
    failed = db.session.scalar(select(FixtureCheck).where(FixtureCheck.result == "fail").order_by(FixtureCheck.id))
    check = learning.launch(
        title="Every collapsible curtain track", criteria=learning.Criteria(category="curtain"),
        due_on=now.date() + timedelta(days=10), fixture_check=failed, by=lead, now=now - timedelta(days=1),
        instructions="Load-test each track as the manufacturer describes; photograph it; record any that fails.")
    for task in check.tasks:
        points = [m["finding_id"] for m in task.matches if m.get("finding_id")]
        if task.ward.name == "Larch Ward" and points:
            learning.answer_task(task, note="Track in the bed bay fails to release: already an Extreme action.",
                                 finding_ids=points, photo_data=[], by=inspector, now=now)
        elif task.ward.name == "Rowan Ward" and not task.matches:
            learning.answer_task(task, note="No collapsible curtain tracks fitted on this ward.", finding_ids=[],
                                 photo_data=[], by=inspector, now=now)
