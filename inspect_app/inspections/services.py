"""Inspection use cases: start, room visits and photos, room access, carry-forward, and what still
stops sign-off. Answers are in ``answering.py``, signing in ``signing.py``.

Services take keyword-only ``by`` and ``now``, flush, write the audit record and never commit.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from inspect_app.audit.services import record
from inspect_app.checklists.library import current_published
from inspect_app.checklists.models import ChecklistItem, split_tags
from inspect_app.domain import checklist as rules
from inspect_app.domain.checklist import CarryForwardOutcome, InspectionType, item_applies
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections import versions
from inspect_app.inspections.models import CarryForward, Inspection, InspectionStatus, RoomVisit
from inspect_app.inspections.walk import (
    RoomStatus,
    carried_forward,
    item_scope,
    scoped_items,
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


def ensure_room_in(inspection: Inspection, room: Room) -> None:
    if room.ward_id != inspection.ward_id or not room.active:
        raise InspectionError("That room is not part of this inspection's ward.")


def visit(inspection: Inspection, room: Room, *, now: datetime) -> RoomVisit:
    """The room's visit record, created the first time the room is opened."""
    ensure_room_in(inspection, room)
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
    ensure_writable(inspection)
    ensure_room_in(inspection, room)
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


def set_not_accessible(*, inspection: Inspection, room: Room, reason: str | None, by, now: datetime,
                       accessible: bool = False) -> RoomVisit:
    """Mark a room not accessible (a reason is required), or accessible again to revisit it."""
    ensure_writable(inspection)
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
    ensure_writable(inspection)
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
