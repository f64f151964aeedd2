"""What a ward's plan shows, collected once for the page, the briefing and the PDFs.

Open points (present, not withdrawn) are numbered in walk order (room position, then point id),
so the number on the plan, in the key and on the printed map is the same. A point not pinned
yet stands at its room's centre when the room is placed (marked "in the room"); otherwise it
is listed under "not on the plan" so nothing open drops out of sight.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app import events
from inspect_app.domain.risk import Band
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.photos.models import Photo
from inspect_app.plans.models import WardPlan
from inspect_app.plans.services import current_plan, room_area
from inspect_app.stores import photo_store


@dataclass(frozen=True)
class RoomBox:
    room_id: int
    name: str
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class Pin:
    number: int
    finding_id: int
    ref: str
    room_id: int
    room: str
    band: str | None
    band_label: str
    description: str
    interim_control: str | None
    interim_expired: bool
    status: str
    x: float | None  # None: not on the plan
    y: float | None
    pinned: bool  # False: drawn at the room's centre
    photo_uuid: str | None = None  # the point's first photo, for the key where photos may be shown

    @property
    def on_plan(self) -> bool:
        return self.x is not None


@dataclass(frozen=True)
class HotspotReport:
    """What the hot-spot map PDF (``reports.pdf.hotspot``) prints, collected apart from rendering."""

    ward: str
    site: str
    trust: str
    plan: PlanMap
    plan_image: bytes | None  # the plan's large rendition; None when the ward has no plan
    version: str
    generated_at: datetime
    generated_by: str
    marking: str = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True)
class PlanMap:
    ward_id: int
    ward_name: str
    plan: WardPlan | None
    rooms: tuple[RoomBox, ...]
    pins: tuple[Pin, ...]

    @property
    def aspect(self) -> float:
        return self.plan.height / self.plan.width if self.plan else 0.75

    @property
    def off_plan(self) -> tuple[Pin, ...]:
        return tuple(p for p in self.pins if not p.on_plan)

    @property
    def extreme_count(self) -> int:
        return sum(1 for p in self.pins if p.band == Band.EXTREME.value)


def _room_boxes(rooms: list[Room]) -> tuple[RoomBox, ...]:
    boxes = []
    for room in rooms:
        where = room_area(room)
        if where is not None:
            boxes.append(RoomBox(room.id, room.name, *where.box()))
    return tuple(boxes)


def open_points(ward_id: int) -> list[Finding]:
    """The ward's present points in walk order (withdrawn and fixed ones are not hazards)."""
    return list(db.session.scalars(
        select(Finding).join(Room, Finding.room_id == Room.id)
        .where(Finding.ward_id == ward_id, Finding.state == "present")
        .options(selectinload(Finding.room)).order_by(Room.position, Room.id, Finding.id)))


#: What a point without an action shows in the key (a failed check before sign-off, for example).
NO_ACTION = ("No action yet", None, False)


def _pin(number: int, finding: Finding, room: Room, remediation: tuple, photo: str | None) -> Pin:
    where = room_area(room)
    pinned = finding.pin_x is not None and finding.pin_y is not None
    x, y = (finding.pin_x, finding.pin_y) if pinned else (where.centre() if where else (None, None))
    band = finding.band
    return Pin(number=number, finding_id=finding.id, ref=finding.ref, room_id=finding.room_id,
               room=room.name, band=band, band_label=Band(band).label if band else "Not graded",
               description=finding.description or finding.category, interim_control=remediation[1],
               interim_expired=remediation[2], status=remediation[0], x=x, y=y, pinned=pinned, photo_uuid=photo)


def _first_photos(finding_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(select(Photo.finding_id, Photo.uuid).where(
        Photo.finding_id.in_(finding_ids or [0]), Photo.removed_at.is_(None)).order_by(Photo.id.desc())).all()
    return {finding_id: uuid for finding_id, uuid in rows}  # the earliest wins: rows run newest first


def plan_map(ward: Ward, *, today: date, points: list[Finding] | None = None,
             rooms: Mapping[int, Room] | None = None) -> PlanMap:
    """Everything a plan view of ``ward`` needs (four statements).

    :param points: the points to pin (an inspection report's), in order; default: the ward's open points.
        Mapped points, or plain rows with the same names and ``rooms``.
    :param rooms: rooms the ward's active rooms leave out (closed ones), by id, when the points are plain
        rows: a point's room is looked up among the ward's rooms (read for the plan's boxes anyway), then here.
    """
    points = open_points(ward.id) if points is None else points
    ids = [p.id for p in points]
    remediation: dict[int, tuple] = {}
    for _, found in events.remediation_listing.send(ids, today=today):  # actions answers (inspect_app.events)
        remediation.update(found)
    first_photos = _first_photos(ids)
    active = ward.active_rooms
    known = {room.id: room for room in active} | dict(rooms or {})
    pins = tuple(_pin(n, f, known.get(f.room_id) or f.room, remediation.get(f.id, NO_ACTION), first_photos.get(f.id))
                 for n, f in enumerate(points, start=1))
    return PlanMap(ward.id, ward.name, current_plan(ward.id), _room_boxes(active), pins)


def hotspot_report(ward: Ward, *, version: str, by, now: datetime) -> HotspotReport:
    """The hot-spot map's data, the plan image read from the store (the renderer never queries)."""
    data = plan_map(ward, today=now.date())
    image = photo_store().read(data.plan.key_large) if data.plan else None
    return HotspotReport(ward=ward.name, site=ward.site.name, trust=ward.site.trust.name, plan=data,
                         plan_image=image, version=version, generated_at=now, generated_by=by.name)


def report_plan(ward: Ward, points: list[Finding], *, now: datetime,
                rooms: Mapping[int, Room] | None = None) -> HotspotReport | None:
    """The plan for an inspection report: its ligature points still present, numbered in the
    report's room order; None when the ward has no plan (the report is as before)."""
    plan = current_plan(ward.id)
    if plan is None:
        return None
    data = plan_map(ward, today=now.date(), points=points, rooms=rooms)
    return HotspotReport(ward=ward.name, site=ward.site.name, trust=ward.site.trust.name, plan=data,
                         plan_image=photo_store().read(plan.key_large), version="", generated_at=now,
                         generated_by="")
