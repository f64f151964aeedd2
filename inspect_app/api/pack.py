"""The ward pack: every URL a device must cache to carry on with an inspection offline.

The ward overview, each active room's page (its checklist is on it) and blank ligature point
form, the ward's unanswered trust-wide check tasks, the detail and edit pages of each open
ligature point (and its pin page and the ward's plan image, when the ward has a plan), and those
points' thumbnails. The
device fetches the list and puts each response in its page cache (``static/js/app.js``); the
service worker serves them offline.
"""
from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import select

from inspect_app.checklists.models import ChecklistItem
from inspect_app.estates.models import Room, RoomFixture
from inspect_app.estates.scope import can_see_ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections import walk
from inspect_app.inspections.models import Inspection
from inspect_app.learning.queries import open_task_ids
from inspect_app.photos.models import Photo
from inspect_app.plans.services import current_plan


def _thumb_urls(points: list[Finding]) -> list[str]:
    photos = db.session.scalars(select(Photo).where(Photo.finding_id.in_([p.id for p in points] or [0]),
                                                    Photo.removed_at.is_(None)).order_by(Photo.id))
    return [url_for("photos.file", uuid=photo.uuid, rendition="thumb") for photo in photos]


def build(inspection_id: int, *, by, now: datetime) -> dict | None:
    """The pack for an inspection the user can see, or None (the caller answers 404)."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or not can_see_ward(by, inspection.ward_id):
        return None
    rooms = [status.room for status in walk.ward_progress(inspection)]
    points = walk.findings_in(inspection) + walk.carried_forward(inspection)
    urls = [url_for("inspections.overview", inspection_id=inspection.id)]
    for room in rooms:
        urls.append(url_for("rooms.room", inspection_id=inspection.id, room_id=room.id))
        if not inspection.is_read_only:  # the blank form; the page fills in the item (app.js)
            urls.append(url_for("findings.new", inspection_id=inspection.id, room_id=room.id))
    if not inspection.is_read_only:  # product checks are made on the walk too: their forms, as room pages link them
        for fixture_id, room_id in db.session.execute(
                select(RoomFixture.id, RoomFixture.room_id).join(Room, Room.id == RoomFixture.room_id)
                .where(Room.ward_id == inspection.ward_id, Room.active.is_(True), RoomFixture.active.is_(True))
                .order_by(RoomFixture.id)):
            urls.append(url_for("fixture_checks.record", fixture_id=fixture_id,
                                next=url_for("rooms.room", inspection_id=inspection.id, room_id=room_id),
                                inspection=inspection.id))
    # trust-wide check tasks of this ward, answered on the walk (offline too: the form queues)
    urls += [url_for("learning.task", task_id=task_id) for task_id in open_task_ids(inspection.ward_id)]
    plan = current_plan(inspection.ward_id)
    for point in points:
        urls.append(url_for("findings.detail", finding_id=point.id))
        if not inspection.is_read_only:
            urls.append(url_for("findings.edit", finding_id=point.id))
            if plan is not None:  # pinning on the ward plan works offline too
                urls.append(url_for("plans.pin", finding_id=point.id))
    if plan is not None:
        urls.append(url_for("plans.image", uuid=plan.uuid))
    thumbs = _thumb_urls(points)
    # Offline, a form opened for a checklist item is the room's blank form: this fills in the category.
    categories = {str(item_id): category for item_id, category in db.session.execute(
        select(ChecklistItem.id, ChecklistItem.category).where(ChecklistItem.template_id == inspection.template_id))}
    return {"inspection_id": inspection.id, "ref": inspection.ref, "ward": inspection.ward.name,
            "read_only": inspection.is_read_only, "generated_at": now.isoformat() + "Z",
            "counts": {"rooms": len(rooms), "ligature_points": len(points), "thumbnails": len(thumbs)},
            "urls": urls + thumbs, "item_categories": categories}
