"""A failed product check is a ligature point at Extreme, now: a collapsible rail that did not
collapse is a load-bearing anchor in a patient's room.

The check raises (or re-grades) the room's point for the fixture through the ordinary grading
services, so the action, its deadlines, the band-rise rules and the audit trail are the same as
for a point found on a walk; the ward's managers, the action's owner and the safety leads are told.
"""
from __future__ import annotations

from datetime import datetime

from inspect_app import events
from inspect_app.actions.models import Action
from inspect_app.actions.services import action_for
from inspect_app.audit.services import record
from inspect_app.domain.alerts import FixtureKind
from inspect_app.domain.checklist import InspectionType
from inspect_app.domain.grading import LoadBearing
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.findings.models import Finding
from inspect_app.inspections import services as inspections
from inspect_app.inspections.models import Inspection

WORST = 5  # likelihood and consequence of a failed anti-ligature product: it is now an anchor


def _inspection_for(fixture, check, *, by, now: datetime) -> Inspection:
    """The walk the check was made in, else the ward's inspection in progress, else a new
    re-assessment (a failed product is a re-assessment trigger; a signed-off inspection is never
    changed)."""
    ward = fixture.room.ward
    if check.inspection_id:
        found = db.session.get(Inspection, check.inspection_id)
        if found is not None and not found.is_read_only:
            return found
    return inspections.in_progress_for(ward.id) or inspections.start_inspection(
        ward=ward, inspection_type=InspectionType.REASSESSMENT.value, team=[by.name], by=by, now=now)


def raise_for_failed_check(fixture, check, *, by, now: datetime) -> Action:
    """Grade the fixture's point Extreme (creating the point when there is none, or when its action
    is finished) and return its open action.

    :param fixture: the :class:`RoomFixture` whose check failed.
    :param check: the failed :class:`FixtureCheck` (flushed).
    """
    notes = check.notes or "no details"
    comment = f"Product check failed on {check.checked_at:%d %b %Y}: {notes}"
    finding = db.session.get(Finding, fixture.finding_id) if fixture.finding_id else None
    action = action_for(finding) if finding is not None else None
    reuse = finding is not None and finding.state == "present" and (action is None or action.is_open)
    old_band = action.band if action is not None and reuse else None
    if reuse:
        if finding.load_bearing != LoadBearing.FULL.value:
            record("finding.update", finding, by=by, now=now, ward_id=finding.ward_id,
                   old={"load_bearing": finding.load_bearing}, new={"load_bearing": LoadBearing.FULL.value},
                   comment=comment)
            finding.load_bearing = LoadBearing.FULL.value
        findings.apply_grade(finding, WORST, WORST, kind="regrade", by=by, now=now, comment=comment)
    else:
        inspection = _inspection_for(fixture, check, by=by, now=now)
        finding = findings.record_finding(
            inspection=inspection, room=fixture.room, by=by, now=now,
            category=FixtureKind(fixture.kind).label[:80], load_bearing=LoadBearing.FULL.value,
            description=f"{fixture.label}: failed its product check ({notes})"[:2000],
            recommended_action="Take the product out of use, repair or replace it, then check it again.",
            likelihood=WORST, consequence=WORST)
        fixture.finding_id = finding.id
    db.session.flush()
    action = action_for(finding)
    record("fixture.check_failed", fixture, by=by, now=now, ward_id=fixture.room.ward_id, action_id=action.id,
           new={"fixture": fixture.label, "finding": finding.ref, "action": action.ref, "band": action.band})
    if old_band is None or old_band == action.band:  # a band rise has told everyone already
        events.action_band_raised.send(action, old_band=old_band or "", now=now, cause=(
            f"A product check failed on {fixture.room.ward.name}: {fixture.label} in {fixture.room.name}. "
            f"{notes}. The point is now graded Extreme."))
    return action
