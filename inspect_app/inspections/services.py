"""Inspection use cases: start, answer, room access, carry-forward, sign-off and correction.

Services take keyword-only ``by`` and ``now``, flush, write the audit record and never commit.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from inspect_app import events
from inspect_app.audit.services import record
from inspect_app.auth.services import AccountError, reauthenticate
from inspect_app.checklists.library import current_published
from inspect_app.checklists.models import ChecklistItem, split_tags
from inspect_app.domain import assurance
from inspect_app.domain import checklist as rules
from inspect_app.domain.checklist import Answer as AnswerValue
from inspect_app.domain.checklist import CarryForwardOutcome, InspectionType, item_applies
from inspect_app.domain.text import TextError, clean_text
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections import versions
from inspect_app.inspections.assurance import flags_for
from inspect_app.inspections.models import Answer, CarryForward, Inspection, InspectionStatus, RoomVisit, Signature
from inspect_app.inspections.walk import (
    RoomStatus,
    carried_forward,
    item_scope,
    room_checklist,
    scoped_items,
    seen_in,
    ward_progress,
)
from inspect_app.photos.services import store_photo
from inspect_app.refusals import Conflict, Forbidden

MAX_TEAM = 10
ACCESS_REASON_LIMIT = 1000
ACCESS_REASON_MESSAGE = "Give the reason the room could not be inspected."


class InspectionError(ValueError):
    """A refused inspection step, with a message for the user."""


class InspectionReadOnly(InspectionError, Conflict):
    """The inspection is signed off, superseded or awaiting its clinical sign-off: nothing in it
    changes (409 on every path)."""


class NotLeadInspector(InspectionError, Forbidden):
    """Only the lead inspector may do this (403 on every path)."""


READ_ONLY_MESSAGE = "This inspection is signed off and read-only. Start a correction to change it."


def ensure_writable(inspection: Inspection | None) -> None:
    """Refuse any change to a signed-off or superseded inspection, or one whose lead inspector has
    signed and which awaits its clinical sign-off (the one rule every path shares)."""
    if inspection is None:
        raise InspectionReadOnly(READ_ONLY_MESSAGE)
    if inspection.is_read_only:
        raise InspectionReadOnly(inspection.read_only_reason)


_writable = ensure_writable


def _clean_team(team: Any) -> list[dict[str, str]]:
    if not isinstance(team, list):
        raise InspectionError("The assessment team must be a list of names.")
    clean = []
    for member in team[:MAX_TEAM + 1]:
        if isinstance(member, str):
            member = {"name": member, "role": ""}
        if not isinstance(member, dict):
            raise InspectionError("Each team member needs a name.")
        name = str(member.get("name") or "").strip()
        role = str(member.get("role") or "").strip()
        if not name:
            continue
        if len(name) > 120 or len(role) > 120:
            raise InspectionError("Team names and roles are at most 120 characters.")
        clean.append({"name": name, "role": role})
    if len(clean) > MAX_TEAM:
        raise InspectionError(f"Record at most {MAX_TEAM} people in the assessment team.")
    if not clean:
        raise InspectionError("Name at least one person in the assessment team.")
    return clean


def last_signed_off(ward_id: int, *, before_id: int | None = None) -> Inspection | None:
    query = select(Inspection).where(Inspection.ward_id == ward_id,
                                     Inspection.status == InspectionStatus.SIGNED_OFF)
    if before_id is not None:
        query = query.where(Inspection.id != before_id)
    return db.session.scalar(query.order_by(Inspection.signed_off_at.desc(), Inspection.id.desc()))


def in_progress_for(ward_id: int) -> Inspection | None:
    return db.session.scalar(select(Inspection).where(Inspection.ward_id == ward_id,
                                                      Inspection.status == InspectionStatus.IN_PROGRESS)
                             .order_by(Inspection.id.desc()))


def in_progress_by_ward() -> dict[int, Inspection]:
    """Every ward's inspection under way (as :func:`in_progress_for` picks it), in one statement."""
    out: dict[int, Inspection] = {}
    for inspection in db.session.scalars(select(Inspection).where(Inspection.status == InspectionStatus.IN_PROGRESS)
                                         .order_by(Inspection.id)):
        out[inspection.ward_id] = inspection  # the newest wins, as in in_progress_for
    return out


def start_inspection(*, ward: Ward, inspection_type: str, team: Any, by, now: datetime) -> Inspection:
    """Start an inspection of a ward with the currently published checklist pinned to it."""
    try:
        InspectionType(inspection_type)
    except ValueError:
        raise InspectionError("Choose the type of inspection.") from None
    if not ward.active:
        raise InspectionError("This ward is closed; reopen it in the estate settings first.")
    template = current_published()
    if template is None:
        raise InspectionError("No checklist is published yet. Ask an administrator to publish one.")
    running = in_progress_for(ward.id)
    if running is not None:
        raise InspectionError(f"{ward.name} already has an inspection in progress ({running.ref}); "
                              "continue that one.")
    previous = last_signed_off(ward.id)
    inspection = Inspection(ward_id=ward.id, template_id=template.id, inspection_type=inspection_type,
                            patient_group=ward.patient_group,
                            status=InspectionStatus.IN_PROGRESS, team=_clean_team(team), started_at=now,
                            started_by_id=by.id, lead_inspector_id=by.id,
                            previous_inspection_id=previous.id if previous else None, updated_at=now)
    db.session.add(inspection)
    db.session.flush()
    record("inspection.start", inspection, by=by, now=now, ward_id=ward.id, inspection_id=inspection.id,
           new={"type": inspection_type, "template": template.title, "team": inspection.team})
    return inspection


def coverage(template, ward: Ward) -> list[tuple[InspectionType, int]]:
    """For each inspection type, how many checklist items an inspection of ``ward`` would answer
    with ``template`` (over its active rooms, for its patient group); for the start page."""
    rooms = Counter(room.area_type_id for room in ward.active_rooms)
    items = db.session.execute(select(ChecklistItem.area_type_id, ChecklistItem.patient_groups,
                                      ChecklistItem.inspection_types)
                               .where(ChecklistItem.template_id == template.id)).all()
    return [(kind, sum(rooms[area] for area, groups, types in items if area in rooms and item_applies(
        item_groups=split_tags(groups), item_types=split_tags(types), patient_group=ward.patient_group,
        inspection_type=kind.value))) for kind in InspectionType]


def room_items(inspection: Inspection, room: Room) -> list[ChecklistItem]:
    """The inspection's checklist items for the room's area type, in order: the pinned library's
    items for the ward's patient group and the inspection's type."""
    return list(db.session.scalars(select(ChecklistItem).where(
        ChecklistItem.template_id == inspection.template_id, ChecklistItem.area_type_id == room.area_type_id,
        *scoped_items()).order_by(ChecklistItem.order, ChecklistItem.id), item_scope(inspection)))


def _room_in(inspection: Inspection, room: Room) -> None:
    if room.ward_id != inspection.ward_id or not room.active:
        raise InspectionError("That room is not part of this inspection's ward.")


def visit(inspection: Inspection, room: Room, *, now: datetime) -> RoomVisit:
    """The room's visit record, created the first time the room is opened."""
    _room_in(inspection, room)
    found = db.session.scalar(select(RoomVisit).where(RoomVisit.inspection_id == inspection.id,
                                                      RoomVisit.room_id == room.id))
    if found is None:
        found = RoomVisit(inspection_id=inspection.id, room_id=room.id, first_opened_at=now, updated_at=now)
        db.session.add(found)
        db.session.flush()
    return found


def add_room_photo(*, inspection: Inspection, room: Room, data: bytes, by, now: datetime,
                   photo_uuid: str | None = None):
    """A photo of the room itself, taken during the inspection: the visual record that the room was
    seen even when nothing in it is a ligature point (a Tier 3 room with no photo is flagged).

    :raises imaging.PhotoRejected: the file is not an acceptable photo (message for the user).
    """
    _writable(inspection)
    _room_in(inspection, room)
    visit(inspection, room, now=now)
    return store_photo(data, ward_id=inspection.ward_id, by=by, now=now, kind="room", inspection_id=inspection.id,
                       room_id=room.id, photo_uuid=photo_uuid)


def record_label_scan(*, inspection: Inspection, room: Room, by, now: datetime) -> RoomVisit | None:
    """Record that the room was opened through its QR label while the inspection was in progress
    ("room confirmed on site by label scan"); the first scan counts. Not required, only reported.

    Returns the visit, or None when nothing is recorded (the inspection is not in progress or is
    awaiting its clinical sign-off, or the room is not on its ward).
    """
    if inspection.is_read_only or room.ward_id != inspection.ward_id or not room.active:
        return None
    room_visit = visit(inspection, room, now=now)
    if room_visit.label_scanned_at is None:
        room_visit.label_scanned_at = now
        record("room.label_scan", room_visit, by=by, now=now, ward_id=inspection.ward_id,
               inspection_id=inspection.id, new={"room": room.name})
    return room_visit
def _text_or_none(value: Any, what: str) -> str | None:
    try:
        return clean_text(value, label=f"The {what}") or None
    except TextError as exc:
        raise InspectionError(str(exc)) from None


def record_answer(*, inspection: Inspection, room: Room, item: ChecklistItem, value: str, by, now: datetime,
                  comment: str | None = None, na_reason: str | None = None,
                  na_detail: str | None = None) -> Answer:
    """Save (or change) one checklist answer the moment it is given.

    A ligature item is answered compliant, ligature point (with or without controls) or not
    applicable; a check item pass, fail or not applicable. Not applicable needs a reason (and words
    for "other"); a fail needs a note saying what failed, and is recorded as a failed check that
    raises an action at sign-off with the item's default priority (:func:`_sync_failed_check`).
    """
    _writable(inspection)
    _room_in(inspection, room)
    if item.template_id != inspection.template_id or item.area_type_id != room.area_type_id or not item_applies(
            item_groups=item.group_list, item_types=item.type_list, patient_group=inspection.patient_group,
            inspection_type=inspection.inspection_type):
        raise InspectionError("That checklist item does not belong to this room's checklist.")
    comment = _text_or_none(comment, "note")
    na_reason = _text_or_none(na_reason, "reason")
    na_detail = _text_or_none(na_detail, "reason")
    problem = rules.answer_problem(item.kind, value, na_reason=na_reason, na_detail=na_detail, note=comment)
    if problem:
        raise InspectionError(problem)
    if value != AnswerValue.NA.value:
        na_reason = na_detail = None
    if not AnswerValue(value).is_ligature_point:
        _no_point_recorded(inspection, room, item)
    visit(inspection, room, now=now)
    answer = db.session.scalar(select(Answer).where(Answer.inspection_id == inspection.id,
                                                    Answer.room_id == room.id, Answer.item_id == item.id))
    old = None
    if answer is None:
        answer = Answer(inspection_id=inspection.id, room_id=room.id, item_id=item.id, value=value,
                        comment=comment, na_reason=na_reason, na_detail=na_detail, answered_by_id=by.id,
                        answered_at=now)
        db.session.add(answer)
    else:
        if (answer.value == value and (comment is None or comment == answer.comment)
                and (answer.na_reason, answer.na_detail) == (na_reason, na_detail)):
            return answer
        old = {"value": answer.value, "comment": answer.comment, "na_reason": answer.na_reason,
               "na_detail": answer.na_detail}
        answer.value, answer.answered_by_id, answer.answered_at = value, by.id, now
        answer.na_reason, answer.na_detail = na_reason, na_detail
        answer.bulk = False  # changed on its own: no longer part of a bulk answer
        if comment is not None:
            answer.comment = comment
    record("answer.set", answer, by=by, now=now, ward_id=inspection.ward_id, inspection_id=inspection.id,
           old=old, new={"room": room.name, "item": item.code, "value": value, "comment": answer.comment,
                         "na_reason": na_reason, "na_detail": na_detail})
    if item.is_check:
        _sync_failed_check(inspection, room, item, answer, by=by, now=now)
    return answer


def failed_check_for(inspection: Inspection, room: Room, item: ChecklistItem) -> Finding | None:
    return db.session.scalar(select(Finding).where(
        Finding.kind == "check", Finding.last_inspection_id == inspection.id, Finding.room_id == room.id,
        Finding.item_id == item.id, Finding.state == "present"))


def _sync_failed_check(inspection: Inspection, room: Room, item: ChecklistItem, answer: Answer, *, by,
                       now: datetime) -> None:
    """Keep the failed-check record in step with a check item's answer.

    A fail is a record of kind "check" (never a ligature point): no 5x5 grade, its band the item's
    default priority, so sign-off raises its action with that priority's deadlines. A fail changed
    to pass or N/A before sign-off withdraws it (kept as "removed" for the audit trail).
    """
    existing = failed_check_for(inspection, room, item)
    if answer.value == AnswerValue.FAIL.value:
        if existing is None:
            existing = Finding(ward_id=room.ward_id, room_id=room.id, inspection_id=inspection.id,
                               last_inspection_id=inspection.id, item_id=item.id, kind="check",
                               category=item.category, description=answer.comment or "", location=room.name,
                               band=item.default_priority or "moderate", state="present",
                               created_by_id=by.id, created_at=now, updated_at=now, field_edited_at={},
                               recommended_action=f"Put right and re-check: {item.prompt}"[:2000])
            db.session.add(existing)
            db.session.flush()
            record("finding.check_failed", existing, by=by, now=now, ward_id=room.ward_id,
                   inspection_id=inspection.id, new={"room": room.name, "item": item.code,
                                                     "priority": existing.band, "note": existing.description})
        elif existing.description != (answer.comment or ""):
            existing.description, existing.updated_at = answer.comment or "", now
    elif existing is not None:
        existing.state, existing.resolved_at, existing.updated_at = "removed", now, now
        record("finding.check_withdrawn", existing, by=by, now=now, ward_id=room.ward_id,
               inspection_id=inspection.id, new={"answer": answer.value})


def _no_point_recorded(inspection: Inspection, room: Room, item: ChecklistItem) -> None:
    """An item with a ligature point recorded against it cannot also be Compliant (or N/A): the
    point is withdrawn as recorded in error first, or kept (and the answer stays)."""
    refs = [f"LP-{fid:05d}" for fid in db.session.scalars(select(Finding.id).where(
        *seen_in(inspection), Finding.room_id == room.id, Finding.item_id == item.id,
        Finding.state == "present", Finding.kind == "ligature").order_by(Finding.id))]
    if refs:
        raise InspectionError(f"{', '.join(refs)} {'is' if len(refs) == 1 else 'are'} recorded against this item: "
                              "withdraw the point as recorded in error first, or keep it and leave the answer.")


def remaining_items(inspection: Inspection, room: Room) -> list[ChecklistItem]:
    """The room's ligature items not answered yet in this inspection, in checklist order.

    Check items are left out: each is a separate act (cutters present, alarm tested, search done)
    that a bulk "compliant" must not certify; they are answered one by one.
    """
    items, answers, _ = room_checklist(inspection, room)
    return [item for item in items if item.id not in answers and not item.is_check]


def mark_remaining_compliant(*, inspection: Inspection, room: Room, expected: int, by, now: datetime) -> list[Answer]:
    """Answer every unanswered item of the room Compliant, as one bulk answer (one audit event).

    :param expected: how many items the person was told would be marked; refused if the room
        changed since (another device answered some), so nobody marks items they were not shown.
    """
    _writable(inspection)
    _room_in(inspection, room)
    remaining = remaining_items(inspection, room)
    if not remaining:
        raise InspectionError("Every item in this room is already answered.")
    if expected != len(remaining):
        raise InspectionError(f"{len(remaining)} items are unanswered now, not {expected}: "
                              "look at the room again before marking them compliant.")
    visit(inspection, room, now=now)
    answers = [Answer(inspection_id=inspection.id, room_id=room.id, item_id=item.id,
                      value=AnswerValue.OK.value, answered_by_id=by.id, answered_at=now, bulk=True)
               for item in remaining]
    db.session.add_all(answers)
    db.session.flush()
    record("answer.bulk_compliant", inspection, by=by, now=now, ward_id=inspection.ward_id,
           inspection_id=inspection.id, new={"room": room.name, "value": AnswerValue.OK.value,
                                             "count": len(answers), "items": [item.code for item in remaining]},
           comment=f"{len(answers)} remaining item(s) marked compliant in one bulk answer")
    return answers


def answer_with_point(*, inspection: Inspection, room: Room, item: ChecklistItem, finding: Finding, by,
                      now: datetime) -> Answer | None:
    """A ligature point was recorded against ``item``: the item's answer says so (the rule is
    ``domain.checklist.answer_for_point``); the form page, the sync API and the import all call this.

    :param finding: the point just recorded in ``room`` against ``item``.
    :returns: the answer recorded, or None when the item already recorded a ligature point.
    """
    value = rules.answer_for_point(answer_value(inspection, room, item),
                                   existing_controls=bool(finding.existing_controls))
    if value is None:
        return None
    return record_answer(inspection=inspection, room=room, item=item, value=value.value, by=by, now=now)


def answer_value(inspection: Inspection, room: Room, item: ChecklistItem) -> str | None:
    """The stored answer to one item in one room, or None if it is unanswered."""
    return db.session.scalar(select(Answer.value).where(Answer.inspection_id == inspection.id,
                                                        Answer.room_id == room.id, Answer.item_id == item.id))


def set_not_accessible(*, inspection: Inspection, room: Room, reason: str | None, by, now: datetime,
                       accessible: bool = False) -> RoomVisit:
    """Mark a room not accessible (a reason is required), or accessible again to revisit it."""
    _writable(inspection)
    room_visit = visit(inspection, room, now=now)
    old = {"not_accessible": room_visit.not_accessible, "reason": room_visit.not_accessible_reason}
    if accessible:
        room_visit.not_accessible, room_visit.not_accessible_reason = False, None
    else:
        if reason is not None and not isinstance(reason, str):
            raise InspectionError("The reason must be text.")
        reason = (reason or "").strip()
        if not reason:
            raise InspectionError(ACCESS_REASON_MESSAGE)
        if len(reason) > ACCESS_REASON_LIMIT:
            raise InspectionError(f"The reason is at most {ACCESS_REASON_LIMIT:,} characters.")
        room_visit.not_accessible, room_visit.not_accessible_reason = True, reason
    room_visit.updated_at = now
    record("room.access", room_visit, by=by, now=now, ward_id=inspection.ward_id, inspection_id=inspection.id,
           old=old, new={"room": room.name, "not_accessible": room_visit.not_accessible,
                         "reason": room_visit.not_accessible_reason})
    return room_visit


def record_carry_forward(*, inspection: Inspection, finding: Finding, outcome: str, by, now: datetime,
                         comment: str | None = None) -> CarryForward:
    """Record what became of an earlier point: still present, fixed, or fixed but defective.

    A point still present (or defective) stays the same record, now last seen in this inspection.
    """
    _writable(inspection)
    try:
        result = CarryForwardOutcome(outcome)
    except ValueError:
        raise InspectionError("Choose still present, fixed, or fixed but defective.") from None
    if finding.ward_id != inspection.ward_id or finding.inspection_id in versions.earlier_ids(inspection):
        raise InspectionError("That ligature point is not carried forward into this inspection.")
    entry = db.session.scalar(select(CarryForward).where(CarryForward.inspection_id == inspection.id,
                                                         CarryForward.finding_id == finding.id))
    old = None
    if entry is None:
        entry = CarryForward(inspection_id=inspection.id, finding_id=finding.id, outcome=result.value,
                             comment=comment, recorded_by_id=by.id, recorded_at=now)
        db.session.add(entry)
    else:
        old = {"outcome": entry.outcome}
        entry.outcome, entry.comment, entry.recorded_by_id, entry.recorded_at = result.value, comment, by.id, now
    finding.last_inspection_id = inspection.id
    record("finding.carry_forward", finding, by=by, now=now, ward_id=finding.ward_id,
           inspection_id=inspection.id, old=old, new={"outcome": result.value, "comment": comment})
    return entry


def signoff_problems(inspection: Inspection, progress: list[RoomStatus] | None = None,
                     carried: list[Finding] | None = None) -> list[str]:
    """Everything that stops sign-off, in words the inspector can act on; empty means go ahead.

    :param progress: ``ward_progress(inspection)`` when the caller already has it.
    :param carried: ``carried_forward(inspection)`` when the caller already has it.
    """
    problems = rules.signoff_blockers(progress if progress is not None else ward_progress(inspection))
    carried = carried if carried is not None else carried_forward(inspection)
    pending = {f.id for f in carried} - set(db.session.scalars(
        select(CarryForward.finding_id).where(CarryForward.inspection_id == inspection.id))) if carried else set()
    if pending:
        problems.append(f"{len(pending)} ligature point(s) from the last inspection still need an outcome.")
    ungraded = db.session.scalar(select(func.count()).select_from(Finding).where(
        Finding.last_inspection_id == inspection.id, Finding.state == "present", Finding.score.is_(None),
        Finding.kind == "ligature"))
    if ungraded:
        problems.append(f"{ungraded} ligature point(s) have no grade yet.")
    return problems


def capacity_for(inspection: Inspection, user) -> str | None:
    """The capacity ``user`` would sign in next, or None when there is nothing for them to sign."""
    if inspection.status != InspectionStatus.IN_PROGRESS:
        return None
    signed = {s.capacity: s.user_id for s in inspection.signatures}
    for capacity in assurance.required_capacities(inspection.inspection_type):
        if capacity.value in signed:
            continue
        try:
            return assurance.check_signatory(
                capacity, inspection_type=inspection.inspection_type, user_id=user.id, user_role=user.role,
                lead_inspector_id=inspection.lead_inspector_id,
                manages_ward=any(w.id == inspection.ward_id for w in getattr(user, "managed_wards", [])),
                signed=signed).value
        except assurance.SignatureError:
            return None
    return None


def sign_off(*, inspection: Inspection, password: str | None, attestation: str, by, now: datetime,
             capacity: str | None = None, acknowledged: Any = (),
             sso_authenticated_at: datetime | None = None) -> list:
    """Sign the inspection as the signed-in account; returns the remediation actions created
    (empty until the last required signature is given).

    The signature is the account (its name and role are copied, never typed) after
    re-authentication. A full annual assessment needs the lead inspector and then a clinical
    sign-off by a ward manager of the ward or a patient safety lead, a different account. The
    lead's signature freezes the record. Refused while a room is unanswered (unless marked not
    accessible with a reason), while a carried-forward point has no outcome, while a point has
    no grade, or while a "needs a second look" flag is not acknowledged.

    :param capacity: ``domain.assurance.Capacity`` value; by default the next one this user may give.
    :param acknowledged: the keys of the flags the signatory acknowledges (``Flag.key``).
    :param sso_authenticated_at: a fresh sign-in at the trust's identity provider, instead of the password.
    """
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise InspectionReadOnly(READ_ONLY_MESSAGE)
    chosen = _signing_capacity(inspection, capacity, by=by)
    problems = signoff_problems(inspection)
    if problems:
        raise InspectionError("Cannot sign off yet: " + " ".join(problems))
    flags = flags_for(inspection)
    _check_acknowledged(flags, acknowledged)
    try:
        method = reauthenticate(by, password=password, now=now, sso_authenticated_at=sso_authenticated_at)
    except AccountError as exc:
        raise InspectionError(str(exc)) from None
    signature = Signature(inspection_id=inspection.id, capacity=chosen.value, user_id=by.id, name=by.name,
                          role=by.role, reauth_method=method, signed_at=now,
                          acknowledged_flags=[{"key": f.key, "room": f.room_name, "flag": f.text} for f in flags])
    db.session.add(signature)
    inspection.signatures.append(signature)
    db.session.flush()
    record("inspection.sign", inspection, by=by, now=now, ward_id=inspection.ward_id, inspection_id=inspection.id,
           new={"capacity": chosen.value, "name": by.name, "role": by.role, "reauth": method,
                "acknowledged": signature.acknowledged_flags})
    if chosen is assurance.Capacity.LEAD:
        inspection.attestation = (attestation or "").strip()
    done = {s.capacity for s in inspection.signatures}
    if not all(c.value in done for c in assurance.required_capacities(inspection.inspection_type)):
        return []
    return _complete_sign_off(inspection, by=by, now=now)


def _signing_capacity(inspection: Inspection, capacity: str | None, *, by) -> assurance.Capacity:
    """The capacity ``by`` signs in (by default the next they may give), or a refusal saying why not."""
    signed = {s.capacity: s.user_id for s in inspection.signatures}
    if capacity is None:
        capacity = capacity_for(inspection, by) or assurance.Capacity.LEAD.value
    try:
        return assurance.check_signatory(
            capacity, inspection_type=inspection.inspection_type, user_id=by.id, user_role=by.role,
            lead_inspector_id=inspection.lead_inspector_id,
            manages_ward=any(w.id == inspection.ward_id for w in by.managed_wards), signed=signed)
    except assurance.SignatureError as exc:
        if str(exc).startswith("Only the lead inspector"):
            raise NotLeadInspector(str(exc)) from None
        raise InspectionError(str(exc)) from None


def _check_acknowledged(flags, acknowledged: Any) -> None:
    """Refuse unless every "needs a second look" flag's key is among ``acknowledged``."""
    if isinstance(acknowledged, str) or not isinstance(acknowledged, (list, tuple, set, frozenset)):
        acknowledged = ()
    missing = [f for f in flags if f.key not in set(map(str, acknowledged))]
    if missing:
        raise InspectionError(f"Acknowledge each room that needs a second look before signing "
                              f"({len(missing)} not acknowledged: "
                              + "; ".join(f"{f.room_name}: {f.text}" for f in missing) + ").")


def _complete_sign_off(inspection: Inspection, *, by, now: datetime) -> list:
    """The last required signature: the record freezes, points judged fixed resolve, actions follow."""
    lead = inspection.lead_signature
    inspection.status = InspectionStatus.SIGNED_OFF
    inspection.signed_off_at, inspection.signed_off_by_id = now, lead.user_id
    inspection.signature_name = lead.name  # the account's name, never typed
    # Points judged fixed at this inspection are resolved now.
    for entry in db.session.scalars(select(CarryForward).where(CarryForward.inspection_id == inspection.id,
                                                               CarryForward.outcome == "fixed")):
        finding = db.session.get(Finding, entry.finding_id)
        if finding.state == "present":
            finding.state, finding.resolved_at = "fixed", now
    record("inspection.sign_off", inspection, by=by, now=now, ward_id=inspection.ward_id,
           inspection_id=inspection.id, new={"signatories": [s.name for s in inspection.signatures],
                                             "attestation": inspection.attestation})
    created = events.inspection_signed_off.send(inspection, by=by, now=now)
    return [made for _receiver, records in created for made in records or ()]
