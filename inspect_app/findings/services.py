"""Ligature point use cases: record, grade and re-grade, edit. Services flush and audit; views commit."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from inspect_app.audit.services import record
from inspect_app.domain import risk
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding, FindingGrade
from inspect_app.inspections.models import Inspection
from inspect_app.refusals import Conflict, Forbidden

EDITABLE_FIELDS = ("description", "location", "category", "existing_controls", "mitigation",
                   "recommended_action", "low_level")
TEXT_LIMITS = {"description": 2000, "location": 500, "category": 80, "existing_controls": 2000,
               "recommended_action": 2000}
GRADE_MESSAGE = "Pick a cell on the grid to grade the point."
PHOTO_OR_DESCRIPTION = "Take a photo of the point or describe it."


class FindingError(ValueError):
    """A refused change to a ligature point, with a message for the user (and the field, when one)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class FindingReadOnly(FindingError, Conflict):
    """The point's inspection is signed off, or its action is closed: 409 on every path."""


class FindingForbidden(FindingError, Forbidden):
    """This person may not make the change to the point: 403 on every path."""


READ_ONLY_MESSAGE = "This inspection is signed off and read-only; start a correction to change it."


def current_inspection(finding: Finding) -> Inspection | None:
    """The inspection the point is now part of (the last one that recorded or re-checked it)."""
    return db.session.get(Inspection, finding.last_inspection_id) if finding.last_inspection_id else None


def ensure_editable(finding: Finding, inspection: Inspection | None = None) -> Inspection:
    """Refuse a change to a point whose inspection is signed off or superseded, or that was removed.

    :returns: the in-progress inspection the change belongs to.
    """
    inspection = inspection or current_inspection(finding)
    if inspection is None or inspection.is_read_only or finding.state == "removed":
        raise FindingReadOnly(READ_ONLY_MESSAGE)
    return inspection


def policy_for(ward: Ward) -> risk.BandPolicy:
    """The trust's band policy (the NPSA default unless the trust configured its own)."""
    raw = ward.site.trust.band_policy
    return risk.BandPolicy.from_dict(raw) if raw else risk.DEFAULT_POLICY


def _clean(field: str, value: Any) -> Any:
    if field == "low_level":
        if not isinstance(value, bool):
            raise FindingError("Low-level must be yes or no.")
        return value
    if field == "mitigation":
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value not in risk.MITIGATIONS:
            raise FindingError("Choose a recommended mitigation from the list.")
        return value
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FindingError(f"{field.replace('_', ' ').capitalize()} must be text.")
    value = value.strip()
    if len(value) > TEXT_LIMITS[field]:
        raise FindingError(f"{field.replace('_', ' ').capitalize()} is longer than {TEXT_LIMITS[field]} characters.")
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise FindingError(f"{field.replace('_', ' ').capitalize()} contains control characters.")
    return value


def _snapshot(finding: Finding) -> dict[str, Any]:
    return {f: getattr(finding, f) for f in EDITABLE_FIELDS}


def record_finding(*, inspection, room: Room, by, now: datetime, item=None, category: str | None = None,
                   description: str = "", location: str = "", existing_controls: str = "",
                   mitigation: str | None = None, recommended_action: str = "", low_level: bool = False,
                   likelihood: int | None = None, consequence: int | None = None,
                   client_id: str | None = None, photos: int = 0) -> Finding:
    """Record a new ligature point in a room during an inspection, with its grade.

    A point needs a grade and a photo or a description before it is saved, so that nothing
    recorded in a hurry becomes an action nobody can act on (sign-off can require the rest).

    :param inspection: an in-progress inspection of the room's ward.
    :param item: the checklist item it answers, or None for an ad-hoc point.
    :param client_id: the device's UUID for the point (offline capture), unique.
    :param photos: how many photos come with it (stored by the caller after this returns).
    """
    if inspection.is_read_only:
        raise FindingReadOnly(inspection.read_only_reason)
    if room.ward_id != inspection.ward_id:
        raise FindingError("That room is not on this inspection's ward.")
    if item is not None and item.kind == "check":
        raise FindingError("A check item has no ligature points: answer it Fail and say what failed.")
    category = category or (item.category if item is not None else "")
    values = {"description": description, "location": location, "category": category,
              "existing_controls": existing_controls, "mitigation": mitigation,
              "recommended_action": recommended_action, "low_level": bool(low_level)}
    clean = {k: _clean(k, v) for k, v in values.items()}
    if not clean["category"]:
        raise FindingError("Choose the fixture category.", "category")
    if likelihood in (None, "") or consequence in (None, ""):
        raise FindingError(GRADE_MESSAGE, "grade")
    if not clean["description"] and photos < 1:
        raise FindingError(PHOTO_OR_DESCRIPTION, "photos")
    finding = Finding(client_id=client_id, ward_id=room.ward_id, room_id=room.id, inspection_id=inspection.id,
                      last_inspection_id=inspection.id, item_id=item.id if item is not None else None,
                      created_by_id=by.id, created_at=now, updated_at=now, state="present",
                      field_edited_at={}, **clean)
    db.session.add(finding)
    db.session.flush()
    record("finding.create", finding, by=by, now=now, ward_id=finding.ward_id, inspection_id=inspection.id,
           new={**clean, "room": room.name, "item": item.code if item is not None else None})
    apply_grade(finding, likelihood, consequence, kind="initial", by=by, now=now, inspection=inspection)
    return finding


def apply_grade(finding: Finding, likelihood: Any, consequence: Any, *, kind: str, by, now: datetime,
                inspection=None, comment: str | None = None) -> FindingGrade:
    """Add a grade record (never overwriting an earlier one) and make it the finding's current grade.

    A failed check is never graded: its priority is the checklist item's default.
    """
    if finding.kind == "check":
        raise FindingError("A failed check has no 5x5 grade: its priority comes from the checklist item.")
    room = finding.room or db.session.get(Room, finding.room_id)
    try:
        result = risk.grade(likelihood, consequence, tier=room.tier, low_level=finding.low_level,
                            policy=policy_for(room.ward))
    except risk.RiskError as exc:
        raise FindingError(str(exc)) from None
    old = {"likelihood": finding.likelihood, "consequence": finding.consequence, "score": finding.score,
           "band": finding.band}
    entry = FindingGrade(finding_id=finding.id, inspection_id=inspection.id if inspection else None, kind=kind,
                         likelihood=result.likelihood, consequence=result.consequence, score=result.score,
                         calculated_band=result.calculated_band.value, band=result.band.value, tier=room.tier,
                         low_level=finding.low_level, reasons=list(result.reasons), comment=comment,
                         graded_by_id=by.id, graded_at=now)
    db.session.add(entry)
    finding.likelihood, finding.consequence = result.likelihood, result.consequence
    finding.score, finding.band = result.score, result.band.value
    finding.updated_at = now
    db.session.flush()
    record("finding.grade", finding, by=by, now=now, ward_id=finding.ward_id,
           inspection_id=inspection.id if inspection else None, old=old,
           new={"likelihood": result.likelihood, "consequence": result.consequence, "score": result.score,
                "band": result.band.value, "kind": kind, "reasons": list(result.reasons)})
    from inspect_app.actions import services as actions

    actions.on_finding_graded(finding, by=by, now=now)
    return entry


def grade_finding(finding: Finding, likelihood: Any, consequence: Any, *, by, now: datetime,
                  comment: Any = None, inspection=None) -> FindingGrade:
    """Grade or re-grade a point during its inspection (the grid on the page, ``finding.grade``).

    Refused on a signed-off point, and when its remediation action is closed: a closed action's
    band is part of the record (re-open the action to re-grade it).
    """
    inspection = ensure_editable(finding, inspection)
    if comment is not None and not isinstance(comment, str):
        raise FindingError("The reason for the grade must be text.")
    comment = (comment or "").strip() or None
    if comment and len(comment) > 2000:
        raise FindingError("The reason for the grade is at most 2000 characters.")
    from inspect_app.actions import services as actions
    from inspect_app.domain.workflow import ActionStatus

    action = actions.action_for(finding)
    if action is not None and action.status == ActionStatus.CLOSED.value:
        raise FindingReadOnly(f"{finding.ref}'s remediation action is closed; re-open it to re-grade the point.")
    kind = "initial" if finding.likelihood is None else "regrade"
    return apply_grade(finding, likelihood, consequence, kind=kind, by=by, now=now, inspection=inspection,
                       comment=comment)


def update_finding(finding: Finding, changes: dict[str, Any], *, by, now: datetime,
                   edited_at: dict[str, str] | None = None, inspection=None) -> dict[str, Any]:
    """Change some fields of a ligature point; returns the fields that changed.

    :param edited_at: per-field ISO times from the editing device. A field whose stored edit is
        newer than the incoming one is left as it is (field-by-field merge, later edit wins);
        both versions stay in the audit trail.
    """
    inspection = ensure_editable(finding, inspection)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise FindingError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    clean = {k: _clean(k, v) for k, v in changes.items()}
    # A stored time ahead of the server (from a device clock that ran fast before device times
    # were clamped) is forgotten, so it cannot lock the field against every later edit.
    ceiling = now.strftime("%Y-%m-%dT%H:%M:%S.%f")
    stored_times = {k: v for k, v in (finding.field_edited_at or {}).items() if isinstance(v, str) and v <= ceiling}
    before = _snapshot(finding)
    applied: dict[str, Any] = {}
    skipped: dict[str, Any] = {}
    for field, value in clean.items():
        incoming = (edited_at or {}).get(field)
        if incoming and stored_times.get(field) and stored_times[field] > incoming:
            skipped[field] = value  # a later edit already won this field
            continue
        if before[field] != value:
            setattr(finding, field, value)
            applied[field] = value
        if incoming:
            stored_times[field] = max(incoming, stored_times.get(field, ""))
    finding.field_edited_at = stored_times
    if applied:
        finding.updated_at = now
        record("finding.update", finding, by=by, now=now, ward_id=finding.ward_id,
               inspection_id=inspection.id if inspection else finding.last_inspection_id,
               old={k: before[k] for k in applied}, new=applied)
    if skipped:
        record("finding.update_superseded", finding, by=by, now=now, ward_id=finding.ward_id,
               new=skipped, comment="Older offline edit kept in history; a later edit won these fields.")
    if "low_level" in applied and finding.likelihood is not None:
        apply_grade(finding, finding.likelihood, finding.consequence, kind="regrade", by=by, now=now,
                    inspection=inspection, comment="Low-level flag changed")
    return applied


WITHDRAW_REASON_LIMIT = 1000
WITHDRAW_REASON_MESSAGE = "Say why the point was recorded in error."


def may_withdraw(finding: Finding, user, inspection) -> str | None:
    """Why ``user`` may not withdraw ``finding``, or None when they may.

    Its recorder may, while the inspection it was recorded in is in progress; after sign-off
    only a patient safety lead may (the signed report then lists it as withdrawn).
    """
    from inspect_app.domain.workflow import Role

    if finding.state == "removed":
        return "This point has already been withdrawn."
    if getattr(user, "role", None) == Role.SAFETY_LEAD.value:
        return None
    if finding.created_by_id != getattr(user, "id", None):
        return "Only the person who recorded the point, or a patient safety lead, can withdraw it."
    if inspection is None or inspection.is_read_only:
        return "The inspection is signed off: ask a patient safety lead to withdraw the point."
    return None


def withdraw_finding(finding: Finding, *, reason: Any, by, now: datetime, inspection=None) -> Finding:
    """"Recorded in error": take the point out of the figures and lists, cancel its action (kept),
    and keep everything in the audit trail.

    :param reason: why it was recorded in error (required, shown in the report).
    :param inspection: the inspection it was recorded in (looked up when not given).
    :raises FindingError: not allowed, or no reason.
    """
    from inspect_app.actions import services as actions
    from inspect_app.inspections.models import Inspection

    inspection = inspection or db.session.get(Inspection, finding.inspection_id)
    refusal = may_withdraw(finding, by, inspection)
    if refusal:  # already withdrawn is about the record's state (409); the rest about who asks (403)
        raise (FindingReadOnly if finding.state == "removed" else FindingForbidden)(refusal)
    if reason is not None and not isinstance(reason, str):
        raise FindingError("The reason must be text.", "reason")
    reason = (reason or "").strip()
    if not reason:
        raise FindingError(WITHDRAW_REASON_MESSAGE, "reason")
    if len(reason) > WITHDRAW_REASON_LIMIT:
        raise FindingError(f"The reason is at most {WITHDRAW_REASON_LIMIT:,} characters.", "reason")
    before = finding.state
    finding.state, finding.withdrawn_reason = "removed", reason
    finding.withdrawn_at, finding.withdrawn_by_id, finding.updated_at = now, by.id, now
    db.session.flush()
    record("finding.withdraw", finding, by=by, now=now, ward_id=finding.ward_id,
           inspection_id=finding.last_inspection_id, old={"state": before},
           new={"state": finding.state, "reason": reason}, comment=reason)
    actions.cancel_for_withdrawn(finding, reason=reason, by=by, now=now)
    return finding
