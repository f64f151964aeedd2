"""Read-side queries for the walk-through's pages: small named reads the views call.

Queries return rows or objects (or None); they never abort or flash: the views answer 404/400.
"""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from inspect_app.checklists.models import ChecklistItem
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import CarryForward, Inspection, InspectionStatus
from inspect_app.inspections.walk import seen_in
from inspect_app.photos.models import Photo

LIST_LIMIT = 200  # the inspections list shows the newest this many


def inspection_or_none(inspection_id: int | None) -> Inspection | None:
    """The inspection with this id, or None (also for no id); no ward scoping."""
    return db.session.get(Inspection, inspection_id) if inspection_id else None


def category_rows(template_id: int) -> list[tuple[str, int | None]]:
    """(category, area type id) of each item of the checklist, in checklist order."""
    return [(category, area) for category, area in db.session.execute(
        select(ChecklistItem.category, ChecklistItem.area_type_id).where(
            ChecklistItem.template_id == template_id).order_by(ChecklistItem.order))]


def finding_by_client_id(client_id: str) -> Finding | None:
    """The ligature point a device saved under this id, or None."""
    return db.session.scalar(select(Finding).where(Finding.client_id == client_id))


def carry_forward_outcomes(inspection_id: int, finding_ids: Collection[int]) -> dict[int, CarryForward]:
    """This inspection's recorded outcomes for these carried-forward points, by point id."""
    if not finding_ids:
        return {}
    return {entry.finding_id: entry for entry in db.session.scalars(select(CarryForward).where(
        CarryForward.inspection_id == inspection_id, CarryForward.finding_id.in_(list(finding_ids))))}


def room_photos(inspection_id: int, room_id: int) -> list[Photo]:
    """The photos (not removed) of a room taken during this inspection, oldest first."""
    return list(db.session.scalars(select(Photo).where(
        Photo.inspection_id == inspection_id, Photo.room_id == room_id, Photo.removed_at.is_(None))
        .order_by(Photo.id)))


def has_present_point(inspection: Inspection, room_id: int, item_id: int) -> bool:
    """Whether a present ligature point seen in this inspection is recorded against the room's item."""
    return db.session.scalar(select(Finding.id).where(
        *seen_in(inspection), Finding.room_id == room_id, Finding.item_id == item_id,
        Finding.state == "present")) is not None


def recent_inspections(ward_ids: Collection[int] | None) -> list[Inspection]:
    """The newest inspections (of these wards; None: all wards) with their signatures, newest first."""
    query = (select(Inspection).order_by(Inspection.started_at.desc(), Inspection.id.desc()).limit(LIST_LIMIT)
             .options(selectinload(Inspection.signatures)))  # the status says when a signature is awaited
    if ward_ids is not None:
        query = query.where(Inspection.ward_id.in_(ward_ids or [0]))
    return list(db.session.scalars(query))


def present_point_count(ward_id: int) -> int:
    """How many ligature points on the ward are still present."""
    return db.session.scalar(select(func.count()).select_from(Finding).where(
        Finding.ward_id == ward_id, Finding.state == "present")) or 0


def photo_by_uuid(uuid: str) -> Photo | None:
    """The photo with this uuid (removed or not), or None."""
    return db.session.scalar(select(Photo).where(Photo.uuid == uuid))


def latest_unsuperseded(ward_id: int) -> Inspection | None:
    """The ward's most recently started inspection that is not superseded, or None."""
    return db.session.scalar(
        select(Inspection).where(Inspection.ward_id == ward_id, Inspection.status != InspectionStatus.SUPERSEDED)
        .order_by(Inspection.started_at.desc(), Inspection.id.desc()))
