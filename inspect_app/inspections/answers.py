"""An inspection's answers as rows for the answers CSV: each Not applicable with its reason, each
failed check with its note and the failed-check record that carries its action."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.checklists.models import ChecklistItem
from inspect_app.domain.checklist import Answer as AnswerValue
from inspect_app.domain.checklist import ItemKind, na_reason_text
from inspect_app.estates.models import AreaType, Room
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Answer, Inspection

_LABELS = {a.value: a.label for a in AnswerValue}
_KINDS = {k.value: k.label for k in ItemKind}


def answer_rows(inspection: Inspection) -> Iterator[list]:
    """One row per answer in walk order (rooms, then checklist order); two statements."""
    checks = {(f.room_id, f.item_id): f.ref for f in db.session.scalars(select(Finding).where(
        Finding.kind == "check", Finding.last_inspection_id == inspection.id, Finding.state == "present"))}
    rows = db.session.execute(
        select(Room.name, AreaType.name, ChecklistItem.code, ChecklistItem.kind, ChecklistItem.category,
               ChecklistItem.prompt, Answer.value, Answer.na_reason, Answer.na_detail, Answer.comment,
               User.name, Answer.answered_at, Answer.room_id, Answer.item_id)
        .join(Room, Room.id == Answer.room_id).join(AreaType, AreaType.id == Room.area_type_id)
        .join(ChecklistItem, ChecklistItem.id == Answer.item_id).join(User, User.id == Answer.answered_by_id)
        .where(Answer.inspection_id == inspection.id)
        .order_by(Room.position, Room.id, ChecklistItem.order, ChecklistItem.id))
    for (room, area, code, kind, category, prompt, value, na_reason, na_detail, comment, by, at,
         room_id, item_id) in rows:
        na = na_reason_text(na_reason, na_detail) if value == AnswerValue.NA.value else ""
        yield [inspection.ref, inspection.ward.name, room, area, code, _KINDS.get(kind, kind), category, prompt,
               _LABELS.get(value, value), na, comment or "", checks.get((room_id, item_id), ""), by, at]
