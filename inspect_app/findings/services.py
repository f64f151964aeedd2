"""Ligature point use cases: record, grade and re-grade (editing a point is ``editing.py``,
withdrawing one ``withdrawal.py``). Services flush and audit; views commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from inspect_app import events
from inspect_app.audit.services import record
from inspect_app.domain import grading, risk
from inspect_app.domain.text import TextError, clean_text
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding, FindingGrade
from inspect_app.refusals import Conflict, Forbidden

if TYPE_CHECKING:
    from inspect_app.inspections.models import Inspection

EDITABLE_FIELDS = ("description", "location", "category", "existing_controls", "mitigation",
                   "recommended_action", "low_level", "load_bearing", "load_bearing_reason")
TEXT_LIMITS = {"description": 2000, "location": 500, "category": 80, "existing_controls": 2000,
               "recommended_action": 2000, "load_bearing_reason": 1000, "consequence_reason": 1000}
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


def inspection_by_id(inspection_id: int) -> Inspection | None:
    """The inspection with this id. Its model is reached through the point's mapping
    (``Finding.last_inspection``): the walk builds on the points, so findings does not import it."""
    return db.session.get(Finding.last_inspection.property.mapper.class_, inspection_id)


def current_inspection(finding: Finding) -> Inspection | None:
    """The inspection the point is now part of (the last one that recorded or re-checked it)."""
    return inspection_by_id(finding.last_inspection_id) if finding.last_inspection_id else None


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


def grading_policy_for(ward: Ward) -> grading.GradingPolicy:
    """The trust's clinical grading rules (the documented defaults unless the trust set its own)."""
    raw = ward.site.trust.grading_policy
    return grading.GradingPolicy.from_dict(raw) if raw else grading.DEFAULT_GRADING


def grading_context(finding: Finding, room: Room) -> grading.Context:
    """What besides L and C decides the point's minimum band, read from the point, room and ward."""
    return grading.Context(tier=room.tier, load_bearing=grading.load_bearing_value(finding.load_bearing),
                           low_level=bool(finding.low_level), patient_group=room.ward.patient_group,
                           observation=room.observation)


def clean_field(field: str, value: Any) -> Any:
    if field == "low_level":
        if not isinstance(value, bool):
            raise FindingError("Low-level must be yes or no.")
        return value
    if field == "load_bearing":
        try:
            answer = grading.load_bearing_value(value)
        except risk.RiskError as exc:
            raise FindingError(str(exc)) from None
        return answer.value if answer is not None else None
    if field == "mitigation":
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value not in risk.MITIGATIONS:
            raise FindingError("Choose a recommended mitigation from the list.")
        return value
    reason = field in ("load_bearing_reason", "consequence_reason")
    label = "The reason" if reason else field.replace("_", " ").capitalize()
    try:
        value = clean_text(value, label=label, limit=TEXT_LIMITS[field])
    except TextError as exc:
        raise FindingError(str(exc)) from None
    return (value or None) if reason else value


def record_finding(*, inspection, room: Room, by, now: datetime, item=None, category: str | None = None,
                   description: str = "", location: str = "", existing_controls: str = "",
                   mitigation: str | None = None, recommended_action: str = "", low_level: bool = False,
                   likelihood: int | None = None, consequence: int | None = None,
                   client_id: str | None = None, photos: int = 0, load_bearing: str | None = None,
                   load_bearing_reason: str | None = None, consequence_reason: str | None = None) -> Finding:
    """Record a new ligature point in a room during an inspection, with its grade.

    A point needs a grade and a photo or a description before it is saved, so that nothing
    recorded in a hurry becomes an action nobody can act on (sign-off can require the rest).

    :param inspection: an in-progress inspection of the room's ward.
    :param item: the checklist item it answers, or None for an ad-hoc point.
    :param client_id: the device's UUID for the point (offline capture), unique.
    :param photos: how many photos come with it (stored by the caller after this returns).
    :param load_bearing: a ``grading.LoadBearing`` value: can the point bear a ligature?
    :param load_bearing_reason: why it cannot (required when it cannot).
    :param consequence_reason: why a load-bearing point's consequence is below Catastrophic.
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
              "recommended_action": recommended_action, "low_level": bool(low_level),
              "load_bearing": load_bearing, "load_bearing_reason": load_bearing_reason}
    clean = {k: clean_field(k, v) for k, v in values.items()}
    if not clean["category"]:
        raise FindingError("Choose the fixture category.", "category")
    if likelihood in (None, "") or consequence in (None, ""):
        raise FindingError(GRADE_MESSAGE, "grade")
    if not clean["description"] and photos < 1:
        raise FindingError(PHOTO_OR_DESCRIPTION, "photos")
    _check_grade_reasons(clean["load_bearing"], consequence, clean["load_bearing_reason"], consequence_reason)
    finding = Finding(client_id=client_id, ward_id=room.ward_id, room_id=room.id, inspection_id=inspection.id,
                      last_inspection_id=inspection.id, item_id=item.id if item is not None else None,
                      created_by_id=by.id, created_at=now, updated_at=now, state="present",
                      field_edited_at={}, **clean)
    db.session.add(finding)
    db.session.flush()
    record("finding.create", finding, by=by, now=now, ward_id=finding.ward_id, inspection_id=inspection.id,
           new={**clean, "room": room.name, "item": item.code if item is not None else None})
    apply_grade(finding, likelihood, consequence, kind="initial", by=by, now=now, inspection=inspection,
                consequence_reason=consequence_reason)
    return finding


def _check_grade_reasons(load_bearing, consequence, load_bearing_reason, consequence_reason) -> None:
    try:
        grading.check_load_bearing(grading.load_bearing_value(load_bearing),
                                   consequence if isinstance(consequence, int) else None,
                                   load_bearing_reason=load_bearing_reason, consequence_reason=consequence_reason)
    except risk.RiskError as exc:
        field = "consequence_reason" if "consequence" in str(exc) else "load_bearing_reason"
        raise FindingError(str(exc), field) from None


@dataclass(frozen=True)
class GradeTrio:
    """A point's grade at three moments: as first found, now, and what remediation aims for."""

    initial: tuple[int, int, int, str] | None  # (likelihood, consequence, score, band)
    current: tuple[int, int, int, str] | None
    target: tuple[int, int, int, str] | None


def grade_trio(finding: Finding) -> GradeTrio:
    """Initial, current and target grade side by side (the target keeps the consequence and lowers
    the likelihood to the policy's ``target_likelihood``: controls never change the consequence)."""
    if not finding.grades:
        return GradeTrio(None, None, None)
    return trio_of(finding.grades, bands=policy_for(finding.ward), rules=grading_policy_for(finding.ward))


def trio_of(grades, *, bands: risk.BandPolicy, rules: grading.GradingPolicy) -> GradeTrio:
    """:func:`grade_trio` from a point's grades in order (mapped or plain rows with the same names) and
    its ward's policies, for callers that loaded them in bulk."""
    if not grades:
        return GradeTrio(None, None, None)
    first, last = grades[0], grades[-1]
    consequence = next((g.consequence for g in reversed(grades) if g.kind != "residual"), None) or last.consequence
    likelihood, consequence, score, band = grading.target_grade(consequence, bands=bands, policy=rules)
    return GradeTrio((first.likelihood, first.consequence, first.score, first.band),
                     (last.likelihood, last.consequence, last.score, last.band),
                     (likelihood, consequence, score, band.value))


def original_consequence(finding: Finding) -> int | None:
    """The consequence of the point's latest grade that is not a residual one."""
    for entry in reversed(finding.grades):
        if entry.kind != "residual":
            return entry.consequence
    return None


def apply_grade(finding: Finding, likelihood: Any, consequence: Any, *, kind: str, by, now: datetime,
                inspection=None, comment: str | None = None, consequence_reason: str | None = None) -> FindingGrade:
    """Add a grade record (never overwriting an earlier one) and make it the finding's current grade.

    The band is the matrix band raised to the point's floor (tier, low-level, patient group,
    observation: ``domain.grading``); the record keeps every reason.

    :param kind: "initial", "regrade" or "residual" (a residual grade may lower the likelihood only).
    :param consequence_reason: why a load-bearing point is graded below Catastrophic; when not
        given on a re-grade that keeps the consequence, the earlier reason carries over.
    A failed check is never graded: its priority is the checklist item's default.

    :raises FindingError: an invalid grade, a missing reason, or a residual consequence below the original.
    """
    if finding.kind == "check":
        raise FindingError("A failed check has no 5x5 grade: its priority comes from the checklist item.")
    room = finding.room or db.session.get(Room, finding.room_id)
    consequence_reason = clean_field("consequence_reason", consequence_reason) if consequence_reason else None
    previous = finding.grades[-1] if finding.grades else None
    if (not consequence_reason and previous is not None and previous.consequence_reason
            and previous.consequence == consequence):
        consequence_reason = previous.consequence_reason
    _check_grade_reasons(finding.load_bearing, consequence, finding.load_bearing_reason, consequence_reason)
    context = grading_context(finding, room)
    try:
        if kind == "residual" and isinstance(consequence, int):
            grading.check_residual(original_consequence(finding), consequence)
        result = grading.grade_point(likelihood, consequence, context, bands=policy_for(room.ward),
                                     policy=grading_policy_for(room.ward))
    except (risk.RiskError, ValueError) as exc:
        raise FindingError(str(exc)) from None
    old = {"likelihood": finding.likelihood, "consequence": finding.consequence, "score": finding.score,
           "band": finding.band}
    old_band = finding.band
    entry = FindingGrade(finding_id=finding.id, inspection_id=inspection.id if inspection else None, kind=kind,
                         likelihood=result.likelihood, consequence=result.consequence, score=result.score,
                         calculated_band=result.calculated_band.value, band=result.band.value, tier=room.tier,
                         low_level=finding.low_level, reasons=list(result.reasons), comment=comment,
                         load_bearing=finding.load_bearing, patient_group=context.patient_group,
                         observation=context.observation, consequence_reason=consequence_reason,
                         graded_by_id=by.id, graded_at=now)
    db.session.add(entry)
    finding.grades.append(entry)  # the collection may already be loaded (the previous grade was read)
    finding.likelihood, finding.consequence = result.likelihood, result.consequence
    finding.score, finding.band = result.score, result.band.value
    finding.updated_at = now
    db.session.flush()
    record("finding.grade", finding, by=by, now=now, ward_id=finding.ward_id,
           inspection_id=inspection.id if inspection else None, old=old,
           new={"likelihood": result.likelihood, "consequence": result.consequence, "score": result.score,
                "band": result.band.value, "kind": kind, "reasons": list(result.reasons),
                "consequence_reason": consequence_reason})
    events.finding_graded.send(finding, by=by, now=now, old_band=old_band)
    return entry


def grade_finding(finding: Finding, likelihood: Any, consequence: Any, *, by, now: datetime,
                  comment: Any = None, inspection=None, consequence_reason: Any = None) -> FindingGrade:
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
    events.finding_grading.send(finding, by=by, now=now)  # a closed action refuses (actions.reactions)
    kind = "initial" if finding.likelihood is None else "regrade"
    if consequence_reason is not None and not isinstance(consequence_reason, str):
        raise FindingError("The reason must be text.", "consequence_reason")
    return apply_grade(finding, likelihood, consequence, kind=kind, by=by, now=now, inspection=inspection,
                       comment=comment, consequence_reason=consequence_reason or None)
