"""Ligature point use cases: record, grade and re-grade, edit. Services flush and audit; views commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from inspect_app import events
from inspect_app.audit.services import record
from inspect_app.domain import grading, risk
from inspect_app.domain.text import TextError, clean_text
from inspect_app.domain.workflow import Role
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
# Fields whose change re-grades the point (the floors depend on them).
GRADING_FIELDS = ("low_level", "load_bearing")
GRADING_FIELD_NAMES = {"low_level": "Low-level flag", "load_bearing": "Load-bearing answer"}
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


def _inspection(inspection_id: int) -> Inspection | None:
    """The inspection with this id. Its model is reached through the point's mapping
    (``Finding.last_inspection``): the walk builds on the points, so findings does not import it."""
    return db.session.get(Finding.last_inspection.property.mapper.class_, inspection_id)


def current_inspection(finding: Finding) -> Inspection | None:
    """The inspection the point is now part of (the last one that recorded or re-checked it)."""
    return _inspection(finding.last_inspection_id) if finding.last_inspection_id else None


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


def _clean(field: str, value: Any) -> Any:
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


def _snapshot(finding: Finding) -> dict[str, Any]:
    return {f: getattr(finding, f) for f in EDITABLE_FIELDS}


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
    clean = {k: _clean(k, v) for k, v in values.items()}
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
    consequence_reason = _clean("consequence_reason", consequence_reason) if consequence_reason else None
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


def update_finding(finding: Finding, changes: dict[str, Any], *, by, now: datetime,
                   edited_at: dict[str, str] | None = None, inspection=None,
                   consequence_reason: str | None = None) -> dict[str, Any]:
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
    before = _snapshot(finding)
    applied, skipped = _merge_fields(finding, clean, edited_at or {}, now=now)
    if applied:
        finding.updated_at = now
        record("finding.update", finding, by=by, now=now, ward_id=finding.ward_id,
               inspection_id=inspection.id if inspection else finding.last_inspection_id,
               old={k: before[k] for k in applied}, new=applied)
    if skipped:
        record("finding.update_superseded", finding, by=by, now=now, ward_id=finding.ward_id,
               new=skipped, comment="Older offline edit kept in history; a later edit won these fields.")
    _regrade_after_edit(finding, applied, by=by, now=now, inspection=inspection,
                        consequence_reason=consequence_reason)
    return applied


def _regrade_after_edit(finding: Finding, applied: dict[str, Any], *, by, now: datetime, inspection,
                        consequence_reason: str | None) -> None:
    """A changed grading fact (low-level, load-bearing...) re-grades the point with its L and C."""
    changed = [field for field in GRADING_FIELDS if field in applied]
    if changed and finding.likelihood is not None:
        apply_grade(finding, finding.likelihood, finding.consequence, kind="regrade", by=by, now=now,
                    inspection=inspection, comment=" and ".join(GRADING_FIELD_NAMES[f] for f in changed) + " changed",
                    consequence_reason=consequence_reason)
    elif finding.load_bearing == grading.LoadBearing.NONE.value and not finding.load_bearing_reason:
        raise FindingError("Say why the point cannot bear a ligature (for example: collapses under 2 kg).",
                           "load_bearing_reason")


def _merge_fields(finding: Finding, clean: dict[str, Any], edited_at: dict[str, str], *,
                  now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set each changed field unless a later edit already won it; returns (applied, skipped)."""
    # A stored time ahead of the server (from a device clock that ran fast before device times
    # were clamped) is forgotten, so it cannot lock the field against every later edit.
    ceiling = now.strftime("%Y-%m-%dT%H:%M:%S.%f")
    stored_times = {k: v for k, v in (finding.field_edited_at or {}).items() if isinstance(v, str) and v <= ceiling}
    applied: dict[str, Any] = {}
    skipped: dict[str, Any] = {}
    for field, value in clean.items():
        incoming = edited_at.get(field)
        if incoming and stored_times.get(field) and stored_times[field] > incoming:
            skipped[field] = value  # a later edit already won this field
            continue
        if getattr(finding, field) != value:
            setattr(finding, field, value)
            applied[field] = value
        if incoming:
            stored_times[field] = max(incoming, stored_times.get(field, ""))
    finding.field_edited_at = stored_times
    return applied, skipped


WITHDRAW_REASON_LIMIT = 1000
WITHDRAW_REASON_MESSAGE = "Say why the point was recorded in error."


def may_withdraw(finding: Finding, user, inspection) -> str | None:
    """Why ``user`` may not withdraw ``finding``, or None when they may.

    Its recorder may, while the inspection it was recorded in is in progress; after sign-off
    only a patient safety lead may (the signed report then lists it as withdrawn).
    """
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
    inspection = inspection or _inspection(finding.inspection_id)
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
    events.finding_withdrawn.send(finding, reason=reason, by=by, now=now)
    return finding
