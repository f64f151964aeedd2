"""The walk-through as read from the database: each room's progress, the room page's position
in the walk, and the ligature points recorded in or carried into an inspection.

Reads only; the use cases that change an inspection are in ``services``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Boolean, Select, and_, bindparam, case, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from inspect_app.checklists.models import ChecklistItem
from inspect_app.domain import checklist as rules
from inspect_app.domain.bands import Band
from inspect_app.domain.checklist import CarryForwardOutcome, InspectionType
from inspect_app.estates.models import Room
from inspect_app.extensions import db
from inspect_app.findings.models import Finding, PointNaming
from inspect_app.inspections import versions
from inspect_app.inspections.models import Answer, CarryForward, Inspection, InspectionStatus, RoomVisit
from inspect_app.photos.models import Photo


class WalkRoom(NamedTuple):
    """A room as the walk-through lists it (read as plain columns: a ward has dozens)."""

    id: int
    name: str
    tier: str
    area_type_id: int
    ward_id: int
    active: bool


@dataclass(frozen=True)
class RoomStatus:
    room: WalkRoom
    progress: rules.RoomProgress
    not_accessible_reason: str | None
    findings: int
    highest_band: Band | None
    label_scanned_at: datetime | None = None  # when the room's label was scanned in this inspection

    @property
    def name(self) -> str:
        return self.room.name

    @property
    def state(self) -> rules.RoomState:
        return self.progress.state


def ward_progress(inspection: Inspection) -> list[RoomStatus]:
    """Every active room of the ward in walk order, with its progress and the ligature points
    present in it (one statement however many rooms and points)."""
    return _walk(inspection, points=True)


@dataclass(frozen=True)
class WalkPosition:
    """The room page's view of the walk: this room's progress and access, and the next unfinished
    room after it."""

    progress: rules.RoomProgress | None
    next_room: WalkRoom | None
    not_accessible: bool
    not_accessible_reason: str | None
    label_scanned_at: datetime | None = None  # this room confirmed on site by a label scan, when


def walk_position(inspection: Inspection, room: Room) -> WalkPosition:
    """:func:`ward_progress` seen from one room, without the ligature-point tallies the room page
    does not show (one statement).

    :param inspection: the inspection being walked.
    :param room: the room on screen; no progress (and the next unfinished room from the start) if
        it is not active, but its access record still shows.
    """
    rooms = _walk(inspection, also=room.id)
    this = next((status for status in rooms if status.room.id == room.id), None)
    walk = [status for status in rooms if status.room.active]
    here = next((i for i, status in enumerate(walk) if status.room.id == room.id), None)
    upcoming = rules.next_unfinished(walk, after=here)
    not_accessible = this is not None and this.state is rules.RoomState.NOT_ACCESSIBLE
    return WalkPosition(this.progress if this is not None and room.active else None,
                        walk[upcoming].room if upcoming is not None and upcoming != here else None,
                        not_accessible, this.not_accessible_reason if not_accessible else None,
                        this.label_scanned_at if this is not None else None)


_BAND_RANK = {band.value: band.rank for band in Band}
_BAND_OF_RANK = {band.rank: band for band in Band}


def _walk(inspection: Inspection, *, also: int | None = None, points: bool = False) -> list[RoomStatus]:
    """The ward's active rooms (and room ``also``, active or not) in walk order, each with its
    progress counted in the database, the reason it was not accessible if it was not, and with
    ``points`` the ligature points present in it (:func:`seen_in`) and their highest band.

    A room counts the items of the pinned checklist for its area type and the answers given to
    them in this inspection: answers to another area type's items (the room's type changed
    since) are ignored, as :func:`rules.room_progress` ignores codes not in the checklist.
    """
    params = {"inspection_id": inspection.id, "template_id": inspection.template_id, "ward_id": inspection.ward_id,
              "also": also, **item_scope(inspection)}
    if points and inspection.status == InspectionStatus.SUPERSEDED:
        # An old version's points (rarely viewed): its conditions are built for it alone.
        query = _with_points(_walk_statement(also is not None, False), seen_in(inspection))
        rows = db.session.execute(query, params)
    else:
        rows = db.session.execute(_walk_statement(also is not None, points), params)
    out = []
    for row in rows:
        total, done, not_accessible, reason, scanned_at = row[6:11]
        count, top = row[11:13] if len(row) > 11 else (0, None)
        blocked = bool(not_accessible)
        out.append(RoomStatus(WalkRoom(*row[:6]),
                              rules.RoomProgress(done, total, rules.room_state(done, total, not_accessible=blocked)),
                              reason if blocked else None, count, _BAND_OF_RANK.get(top), scanned_at))
    return out


@functools.cache
def _walk_statement(also: bool, points: bool) -> Select:
    """:func:`_walk`'s statement, built once per process for each shape (a page views it on every
    request, and building it cost more than running it); the values are bound parameters."""
    inspection_id, template_id = bindparam("inspection_id"), bindparam("template_id")
    # Each tally is grouped once and joined, not counted again room by room.
    items = (select(ChecklistItem.area_type_id, func.count().label("n"))
             .where(ChecklistItem.template_id == template_id, *scoped_items())
             .group_by(ChecklistItem.area_type_id).subquery())
    answered_room = aliased(Room)
    answers = (select(Answer.room_id, func.count().label("n"))
               .join(ChecklistItem, ChecklistItem.id == Answer.item_id)
               .join(answered_room, answered_room.id == Answer.room_id)
               .where(Answer.inspection_id == inspection_id, Answer.value != "",
                      ChecklistItem.template_id == template_id, *scoped_items(),
                      ChecklistItem.area_type_id == answered_room.area_type_id)
               .group_by(Answer.room_id).subquery())
    shown = or_(Room.active.is_(True), Room.id == bindparam("also")) if also else Room.active.is_(True)
    query = (select(Room.id, Room.name, Room.tier, Room.area_type_id, Room.ward_id, Room.active,
                    func.coalesce(items.c.n, 0), func.coalesce(answers.c.n, 0),
                    RoomVisit.not_accessible, RoomVisit.not_accessible_reason, RoomVisit.label_scanned_at)
             .outerjoin(items, items.c.area_type_id == Room.area_type_id)
             .outerjoin(answers, answers.c.room_id == Room.id)
             .outerjoin(RoomVisit, and_(RoomVisit.room_id == Room.id, RoomVisit.inspection_id == inspection_id))
             .where(Room.ward_id == bindparam("ward_id"), shown).order_by(Room.position, Room.id))
    return _with_points(query, _seen_now(inspection_id)) if points else query


def _with_points(query: Select, seen: tuple) -> Select:
    """``query`` (of rooms) with each room's count of present points and their highest band's rank."""
    top = func.max(case(_BAND_RANK, value=Finding.band))  # by severity, not by spelling
    present = (select(Finding.room_id, func.count().label("n"), top.label("top"))
               .where(*seen, Finding.state == "present", Finding.kind == "ligature").group_by(Finding.room_id).subquery())
    return (query.outerjoin(present, present.c.room_id == Room.id)
            .add_columns(func.coalesce(present.c.n, 0), present.c.top))


class RoomItem(NamedTuple):
    """A checklist item as the room page and its bulk answer read it (plain columns: a room has
    dozens, each drawn with its answer form)."""

    id: int
    code: str
    category: str
    prompt: str
    guidance: str | None
    kind: str

    @property
    def is_check(self) -> bool:
        return self.kind == "check"


def room_checklist(inspection: Inspection, room: Room) -> tuple[list[RoomItem], dict[int, str], dict]:
    """The inspection's checklist items for the room's area type, in order (the pinned library's
    items for the ward's patient group and the inspection type: :func:`item_scope`), this
    inspection's answers to them (item id -> value) and the words kept with them (item id ->
    (note, N/A reason, N/A detail)), in one statement."""
    rows = db.session.execute(_checklist_statement(), {
        "inspection_id": inspection.id, "room_id": room.id, "template_id": inspection.template_id,
        "area_type_id": room.area_type_id, **item_scope(inspection)}).all()
    return ([RoomItem(*row[:6]) for row in rows], {row[0]: row[6] for row in rows if row[6] is not None},
            {row[0]: tuple(row[7:]) for row in rows if row[6] is not None})


def item_scope(inspection: Inspection) -> dict:
    """The bound values :func:`scoped_items` reads: the inspection's patient group and type."""
    full = InspectionType(inspection.inspection_type).uses_full_checklist if inspection.inspection_type in {
        t.value for t in InspectionType} else True
    return {"group_tag": f"|{inspection.patient_group or ''}|", "type_tag": f"|{inspection.inspection_type}|",
            "full_checklist": full}


def scoped_items() -> tuple:
    """Conditions on ChecklistItem keeping the items of one inspection's checklist (bound parameters
    ``group_tag``, ``type_tag`` and ``full_checklist`` from :func:`item_scope`); the same rule as
    ``domain.checklist.item_applies``, in SQL."""
    return (or_(ChecklistItem.patient_groups.is_(None),
                ChecklistItem.patient_groups.contains(bindparam("group_tag"), autoescape=False)),
            or_(bindparam("full_checklist", type_=Boolean) == true(),
                ChecklistItem.inspection_types.contains(bindparam("type_tag"), autoescape=False)))


@functools.cache
def _checklist_statement() -> Select:
    return (select(ChecklistItem.id, ChecklistItem.code, ChecklistItem.category, ChecklistItem.prompt,
                   ChecklistItem.guidance, ChecklistItem.kind, Answer.value, Answer.comment, Answer.na_reason,
                   Answer.na_detail)
            .outerjoin(Answer, and_(Answer.item_id == ChecklistItem.id,
                                    Answer.inspection_id == bindparam("inspection_id"),
                                    Answer.room_id == bindparam("room_id")))
            .where(ChecklistItem.template_id == bindparam("template_id"),
                   ChecklistItem.area_type_id == bindparam("area_type_id"), *scoped_items())
            .order_by(ChecklistItem.order, ChecklistItem.id))


def seen_in(inspection: Inspection) -> tuple:
    """Conditions selecting the ligature points recorded or re-checked in this inspection.

    A superseded version handed its points on to its correction (they are one record each), so
    for it the points are those now on a later version that already existed when it was signed.
    """
    if inspection.status != InspectionStatus.SUPERSEDED:
        return _seen_now(inspection.id)
    ids = [inspection.id] + [v.id for v in versions.later_versions(inspection)]
    return (Finding.last_inspection_id.in_(ids), Finding.created_at <= inspection.signed_off_at)


def _seen_now(inspection_id) -> tuple:
    """:func:`seen_in` for an inspection not superseded; ``inspection_id`` a value or a bound parameter."""
    # A carried-forward point judged fixed is last seen here, but it is no longer a hazard.
    fixed = select(CarryForward.finding_id).where(CarryForward.inspection_id == inspection_id,
                                                  CarryForward.outcome == CarryForwardOutcome.FIXED.value)
    return (Finding.last_inspection_id == inspection_id, Finding.id.not_in(fixed))


def findings_in(inspection: Inspection, room: Room | None = None, *, photos: bool = False) -> list[Finding]:
    """Ligature points present in this inspection (optionally one room), in the order recorded;
    with ``photos``, their photos are loaded in the same statement (a page with thumbnails)."""
    query = select(Finding).where(*seen_in(inspection), Finding.state == "present")
    if room is not None:
        query = query.where(Finding.room_id == room.id)
    return _points(query.order_by(Finding.room_id, Finding.id), photos)


@dataclass(frozen=True, slots=True)
class RoomPoint(PointNaming):
    """A point as the room page shows it (a checklist item's points, a page of point rows), read as
    plain columns: a dense room holds dozens, and loading each as a full record (descriptions,
    controls, grading answers, its photos) cost more than the statement."""

    id: int
    kind: str
    item_id: int | None
    band: str | None
    score: int | None
    category: str
    description: str
    location: str | None
    thumb: str | None  # the uuid of its first photo (not removed), for the thumbnail


def room_points(inspection: Inspection, room: Room) -> list[RoomPoint]:
    """:func:`findings_in` one room, as the room page shows them (one statement)."""
    if inspection.status == InspectionStatus.SUPERSEDED:  # an old version (rarely viewed): its own conditions
        return [RoomPoint(f.id, f.kind, f.item_id, f.band, f.score, f.category, f.description, f.location,
                          f.photos[0].uuid if f.photos else None) for f in findings_in(inspection, room, photos=True)]
    rows = db.session.execute(_room_points_statement(), {"inspection_id": inspection.id, "room_id": room.id})
    return [RoomPoint(*row) for row in rows]


@functools.cache
def _room_points_statement() -> Select:
    thumb = (select(Photo.uuid).where(Photo.finding_id == Finding.id, Photo.removed_at.is_(None))
             .order_by(Photo.id).limit(1).scalar_subquery())  # as Finding.photos orders them
    return (select(Finding.id, Finding.kind, Finding.item_id, Finding.band, Finding.score, Finding.category,
                   Finding.description, Finding.location, thumb)
            .where(*_seen_now(bindparam("inspection_id")), Finding.state == "present",
                   Finding.room_id == bindparam("room_id")).order_by(Finding.id))


def _thumbnails():
    """A point's photos as a page of thumbnails needs them: the id, the uuid its URL is built from
    and the point (not every photo column)."""
    return joinedload(Finding.photos).load_only(Photo.id, Photo.uuid, Photo.finding_id)


def _points(query: Select, photos: bool) -> list[Finding]:
    if photos:
        return list(db.session.scalars(query.options(_thumbnails())).unique())
    return list(db.session.scalars(query))


def carried_forward(inspection: Inspection, room: Room | None = None, *, photos: bool = False) -> list[Finding]:
    """Points still open from the ward's previous inspection that this inspection must re-check
    (with ``photos`` as :func:`findings_in`)."""
    if inspection.previous_inspection_id is None:
        return []
    # A correction starts later than its original: points first recorded in an earlier version
    # of this same inspection are its own points, not carried forward.
    own = versions.earlier_ids(inspection)
    first = db.session.scalar(select(func.min(Inspection.started_at)).where(Inspection.id.in_(own)))
    query = select(Finding).where(Finding.ward_id == inspection.ward_id, Finding.state == "present",
                                  Finding.inspection_id.not_in(own), Finding.created_at <= first)
    if room is not None:
        query = query.where(Finding.room_id == room.id)
    return _points(query.order_by(Finding.room_id, Finding.id), photos)
