"""Checklist answers, given one by one or as one bulk "compliant": each answer is saved the moment
it is given; a failed check keeps its failed-check record in step, and an item with a ligature
point recorded against it cannot be answered compliant.

Services take keyword-only ``by`` and ``now``, flush, write the audit record and never commit.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from inspect_app.audit.services import record
from inspect_app.checklists.models import ChecklistItem
from inspect_app.domain import checklist as rules
from inspect_app.domain.checklist import Answer as AnswerValue
from inspect_app.domain.checklist import item_applies
from inspect_app.domain.text import TextError, clean_text
from inspect_app.estates.models import Room
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.inspections.services import InspectionError, ensure_room_in, ensure_writable, visit
from inspect_app.inspections.walk import RoomItem, room_checklist, seen_in


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
    ensure_writable(inspection)
    ensure_room_in(inspection, room)
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


def remaining_items(inspection: Inspection, room: Room) -> list[RoomItem]:
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
    ensure_writable(inspection)
    ensure_room_in(inspection, room)
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
