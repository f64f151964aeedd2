"""Plan use cases: upload a ward's plan, place a room on it, pin a ligature point.

Every path (the admin's pages, the point's form, the sync API's ``point.pin``, the demo) calls
these; they check who may, flush and audit, and never commit.
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from inspect_app.audit.services import record
from inspect_app.domain import plans as geometry
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.photos import imaging
from inspect_app.plans import imaging as plan_imaging
from inspect_app.plans.models import WardPlan
from inspect_app.refusals import Conflict, Forbidden
from inspect_app.stores import photo_store
from inspect_app.stores.storage import StorageUnavailable, rendition_key

#: Who may upload a plan and place rooms (the estate's administrators), and who may pin points
#: (the people who record them: the same roles as the walk-through forms).
PLANNERS = (Role.ADMIN,)
PINNERS = (Role.INSPECTOR, Role.ADMIN)
#: How far outside its room's rectangle a pin may fall (a fingertip's slack), as a plan fraction.
ROOM_SLACK = 0.02


class PlanError(ValueError):
    """A refused plan operation, with a message for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class PlanForbidden(PlanError, Forbidden):
    """This person may not change the plan or pin points: 403 on every path."""


class PlanMissing(PlanError, Conflict):
    """The ward has no plan to place or pin on yet: 409 on every path."""


def current_plan(ward_id: int) -> WardPlan | None:
    """The ward's plan in use: its newest upload."""
    return db.session.scalar(select(WardPlan).where(WardPlan.ward_id == ward_id)
                             .order_by(WardPlan.id.desc()).limit(1))


def _require(user, roles) -> None:
    if user.role not in {role.value for role in roles}:
        raise PlanForbidden("Your role cannot change the ward plan.")


def upload_plan(data: bytes, *, ward: Ward, by, now: datetime, page: int = 1) -> WardPlan:
    """Check and store a plan (JPEG, PNG, WebP or a PDF page) as the ward's plan in use.

    The files are written before the row (as photos), so a crash leaves an orphan file, never a
    row without its image. Room placements and pins stay: they are fractions of the plan.

    :raises imaging.PhotoRejected: the file is not a plan we accept (message for the user).
    :raises PlanForbidden: not an administrator.
    """
    _require(by, PLANNERS)
    max_bytes = current_app.config.get("PHOTO_MAX_BYTES", imaging.MAX_BYTES)
    source, processed = plan_imaging.process(data, max_bytes=max_bytes, page_number=page)
    plan_id = uuidlib.uuid4()
    store = photo_store()
    keys = {name: rendition_key(plan_id, f"plan-{name}") for name in ("large", "thumb")}
    try:
        for name, key in keys.items():
            store.put(key, processed.renditions[name].data)
    except StorageUnavailable:
        for key in keys.values():
            _forget(store, key)
        raise
    large = processed.renditions["large"]
    plan = WardPlan(uuid=str(plan_id), ward_id=ward.id, source_format=source, key_large=keys["large"],
                    key_thumb=keys["thumb"], sha256=large.sha256, width=large.width, height=large.height,
                    uploaded_by_id=by.id, uploaded_at=now)
    db.session.add(plan)
    db.session.flush()
    record("plan.upload", plan, by=by, now=now, ward_id=ward.id,
           new={"uuid": plan.uuid, "format": source, "sha256": plan.sha256, "uploaded_bytes": len(data)})
    return plan


def _forget(store, key: str) -> None:
    try:
        store.delete(key)
    except OSError:
        pass  # an orphan for ``photos check``


def place_room(room: Room, *, x, y, w=None, h=None, by, now: datetime) -> Room:
    """Place a room on its ward's plan: a rectangle, or a point (one tap).

    :raises PlanMissing: the ward has no plan yet.
    :raises PlanError: the position is not on the plan.
    """
    _require(by, PLANNERS)
    if current_plan(room.ward_id) is None:
        raise PlanMissing("Upload the ward's plan before placing rooms on it.")
    try:
        where = geometry.area(x, y, w, h)
    except geometry.PlanError as exc:
        raise PlanError(str(exc), "x") from None
    old = {"x": room.plan_x, "y": room.plan_y, "w": room.plan_w, "h": room.plan_h}
    room.plan_x, room.plan_y = where.x, where.y
    room.plan_w, room.plan_h = (None, None) if where.is_point else (where.w, where.h)
    new = {"x": room.plan_x, "y": room.plan_y, "w": room.plan_w, "h": room.plan_h}
    if new != old:
        record("room.place", room, by=by, now=now, ward_id=room.ward_id, old=old, new=new)
    return room


def room_area(room: Room) -> geometry.Area | None:
    if room.plan_x is None or room.plan_y is None:
        return None
    return geometry.Area(room.plan_x, room.plan_y, room.plan_w or 0.0, room.plan_h or 0.0)


def pin_point(finding: Finding, *, x, y, by, now: datetime) -> Finding:
    """Pin a ligature point on its ward's plan (the same position again changes nothing).

    :raises PlanMissing: the ward has no plan, or the point was withdrawn.
    :raises PlanError: the position is off the plan, or outside the point's room on it.
    """
    _require(by, PINNERS)
    if finding.state == "removed":
        raise PlanMissing("That point was withdrawn as recorded in error; it cannot be pinned.")
    if current_plan(finding.ward_id) is None:
        raise PlanMissing("The ward has no plan to pin the point on yet.")
    try:
        px, py = geometry.fraction(x, "left"), geometry.fraction(y, "top")
    except geometry.PlanError as exc:
        raise PlanError(str(exc), "pin_x") from None
    _check_in_room(finding.room, px, py)
    if (finding.pin_x, finding.pin_y) != (px, py):
        old = {"x": finding.pin_x, "y": finding.pin_y}
        finding.pin_x, finding.pin_y = px, py
        record("finding.pin", finding, by=by, now=now, ward_id=finding.ward_id, old=old, new={"x": px, "y": py})
    return finding


def _check_in_room(room: Room, x: float, y: float) -> None:
    where = room_area(room)
    if where is None or where.is_point:
        return  # a room not placed, or placed as a point: anywhere on the plan will do
    left, top, width, height = where.box()
    inside = left - ROOM_SLACK <= x <= left + width + ROOM_SLACK and top - ROOM_SLACK <= y <= top + height + ROOM_SLACK
    if not inside:
        raise PlanError(f"Tap inside {room.name} on the plan: the point is in that room.", "pin_x")
