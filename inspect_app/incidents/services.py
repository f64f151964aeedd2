"""Incident use cases: record one (by hand or from an import row), find its point, and what an
incident at a point sets off: the point re-graded to "it has happened here" through the grading
service (deadlines and the action follow), the safety leads told. Services flush and audit; views
commit. The ward's re-assessment flag is derived (:mod:`inspect_app.incidents.queries`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from inspect_app import events
from inspect_app.audit.services import record
from inspect_app.domain.incidents import (
    NHS_NUMBER_MESSAGE,
    IncidentType,
    Outcome,
    likelihood_after_incident,
    looks_like_nhs_number,
)
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Room
from inspect_app.estates.scope import can_see_ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.findings.models import Finding
from inspect_app.incidents.models import Incident
from inspect_app.refusals import Conflict, Forbidden

LIMITS = {"reference": 60, "summary": 2000, "fixture_category": 80, "point_note": 1000}
#: Safety leads and admins record anywhere; a ward manager records on their own wards (by hand).
RECORDERS = (Role.SAFETY_LEAD, Role.ADMIN, Role.WARD_MANAGER)
IMPORTERS = (Role.SAFETY_LEAD, Role.ADMIN)
#: Who may close a "find the point" task: whoever walks or runs the ward (on wards they can see).
POINT_FINDERS = (Role.INSPECTOR, Role.SAFETY_LEAD, Role.ADMIN, Role.WARD_MANAGER)
CLOCK_SLACK = timedelta(minutes=10)  # a device clock a little ahead is not an incident in the future


class IncidentError(ValueError):
    """A refused incident, with a message for the user and the field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class IncidentForbidden(IncidentError, Forbidden):
    """Not this person's ward, or not their role: 403 on every path."""


class IncidentDuplicate(IncidentError, Conflict):
    """The incident system's reference is already recorded: 409."""


@dataclass(frozen=True)
class IncidentInput:
    """An incident as entered on the form or read from one import row."""

    room: Room
    occurred_at: datetime
    incident_type: str
    outcome: str
    reference: str | None = None
    summary: str = ""
    finding: Finding | None = None
    fixture_category: str | None = None


def may_record(user, ward_id: int) -> bool:
    return user.role in {r.value for r in RECORDERS} and can_see_ward(user, ward_id)


def clean_text(field: str, value, *, required: bool = False) -> str | None:
    """Trimmed text within its limit, free of control characters and NHS-number-like values."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise IncidentError(f"{field.replace('_', ' ').capitalize()} must be text.", field)
    value = value.strip()
    if required and not value:
        raise IncidentError(f"{field.replace('_', ' ').capitalize()} is required.", field)
    if len(value) > LIMITS[field]:
        raise IncidentError(f"{field.replace('_', ' ').capitalize()} is at most {LIMITS[field]} characters.", field)
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise IncidentError(f"{field.replace('_', ' ').capitalize()} contains control characters.", field)
    if looks_like_nhs_number(value):
        raise IncidentError(NHS_NUMBER_MESSAGE, field)
    return value or None


def check_input(data: IncidentInput, *, now: datetime) -> dict:
    """The incident's cleaned values, or the first reason it is refused.

    :raises IncidentError: naming the field.
    """
    try:
        kind = IncidentType(data.incident_type)
    except ValueError:
        raise IncidentError("Choose the type of incident from the list.", "incident_type") from None
    try:
        outcome = Outcome(data.outcome)
    except ValueError:
        raise IncidentError("Choose the outcome (physical harm) from the list.", "outcome") from None
    if data.occurred_at > now + CLOCK_SLACK:
        raise IncidentError("The incident's date and time is in the future.", "occurred_at")
    finding = data.finding
    if finding is not None and (finding.room_id != data.room.id or finding.is_check or finding.state == "removed"):
        raise IncidentError("That ligature point is not recorded in this room.", "finding")
    return {"incident_type": kind.value, "outcome": outcome.value,
            "reference": clean_text("reference", data.reference),
            "summary": clean_text("summary", data.summary) or "",
            "fixture_category": clean_text("fixture_category", data.fixture_category)}


def by_reference(reference: str | None) -> Incident | None:
    if not reference:
        return None
    return db.session.scalar(select(Incident).where(Incident.reference == reference))


def record_incident(data: IncidentInput, *, by, now: datetime, source: str = "manual") -> Incident:
    """Record a ligature incident and set off what it means for the point and the ward.

    :param data: what happened, where (the room; the point when known).
    :param source: "manual" or "import".
    :raises IncidentForbidden: not the user's ward or role.
    :raises IncidentDuplicate: the reference is already recorded.
    :raises IncidentError: invalid input (never an NHS number).
    """
    if not may_record(by, data.room.ward_id):
        raise IncidentForbidden("You cannot record incidents on this ward.")
    clean = check_input(data, now=now)
    if by_reference(clean["reference"]) is not None:
        raise IncidentDuplicate(f"Incident {clean['reference']} is already recorded.", "reference")
    incident = Incident(ward_id=data.room.ward_id, room_id=data.room.id, room=data.room,
                        finding=data.finding, occurred_at=data.occurred_at,
                        source=source, recorded_by_id=by.id, recorded_at=now, **clean)
    db.session.add(incident)
    db.session.flush()
    record("incident.record", incident, by=by, now=now, ward_id=incident.ward_id,
           new={**clean, "room": data.room.name, "occurred_at": data.occurred_at, "source": source,
                "finding": data.finding.ref if data.finding else None})
    if data.finding is not None:
        raise_point(incident, data.finding, by=by, now=now)
    events.incident_recorded.send(incident, now=now)
    return incident


def raise_point(incident: Incident, finding: Finding, *, by, now: datetime) -> None:
    """"It has happened here": the point's likelihood to at least the policy's floor, through the
    grading service, with the incident as the reason; its action is created or brought forward.

    A point no longer present (fixed) keeps its record; the incident flags the ward for
    re-assessment, which looks at the point again.
    """
    if finding.state != "present" or not IncidentType(incident.incident_type).uses_anchor:
        return
    policy = findings.grading_policy_for(finding.ward)
    likelihood = likelihood_after_incident(finding.likelihood, policy)
    if finding.likelihood is None or likelihood > finding.likelihood:
        reason = (f"Ligature incident {incident.reference or incident.ref} on {incident.occurred_at:%d %b %Y}: "
                  f"it has happened here (likelihood at least {policy.incident_likelihood}).")
        try:
            findings.apply_grade(finding, likelihood, finding.consequence or 5, kind="regrade", by=by, now=now,
                                 comment=reason)
        except findings.FindingError as exc:
            raise IncidentError(f"{finding.ref} could not be re-graded: {exc}", "finding") from None
    events.incident_at_point.send(finding, incident=incident, by=by, now=now)


def resolve_point(incident: Incident, *, finding: Finding | None, note, by, now: datetime) -> Incident:
    """Close a "find the point" task: link the point found (which is then re-graded), or say why
    no point was found.

    :raises IncidentError: nothing given, a point in another room, or the task already closed.
    """
    if by.role not in {r.value for r in POINT_FINDERS} or not can_see_ward(by, incident.ward_id):
        raise IncidentForbidden("You cannot change incidents on this ward.")
    if not incident.needs_point:
        raise IncidentDuplicate("This incident's point has already been found or accounted for.")
    note = clean_text("point_note", note)
    if finding is None and not note:
        raise IncidentError("Choose the point where it happened, or say why no point was found.", "point_note")
    if finding is not None and (finding.room_id != incident.room_id or finding.is_check or finding.state == "removed"):
        raise IncidentError("That ligature point is not recorded in the incident's room.", "finding")
    incident.finding = finding
    incident.point_resolved_at, incident.point_resolved_by_id, incident.point_note = now, by.id, note
    db.session.flush()
    record("incident.point", incident, by=by, now=now, ward_id=incident.ward_id,
           new={"finding": finding.ref if finding else None, "note": note})
    if finding is not None:
        raise_point(incident, finding, by=by, now=now)
    return incident
