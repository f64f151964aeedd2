"""The walk-through as read from the database: each room's progress, the room page's position
in the walk, and the ligature points recorded in or carried into an inspection.

Reads only; the use cases that change an inspection are in ``services``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from inspect_app.checklists.models import ChecklistItem
from inspect_app.domain import checklist as rules
from inspect_app.domain.checklist import CarryForwardOutcome
from inspect_app.estates.models import Room
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections import versions
from inspect_app.inspections.models import Answer, CarryForward, Inspection, InspectionStatus, RoomVisit
from inspect_app.photos.models import Photo


@dataclass(frozen=True)
class RoomStatus:
    room: Room
    progress: rules.RoomProgress
    not_accessible_reason: str | None
    findings: int
    highest_band: Any

    @property
    def name(self) -> str:
        return self.room.name

    @property
    def state(self) -> rules.RoomState:
        return self.progress.state


def ward_progress(inspection: Inspection) -> list[RoomStatus]:
    """Every active room of the ward in walk order, with its progress (a fixed number of queries)."""
    bands: dict[int, dict[str | None, int]] = {}  # room id -> band -> present points
    for room_id, band, count in db.session.execute(
            select(Finding.room_id, Finding.band, func.count()).where(*seen_in(inspection), Finding.state == "present")
            .group_by(Finding.room_id, Finding.band)):
        bands.setdefault(room_id, {})[band] = count
    return _Walk.load(inspection).statuses(
        {room_id: (sum(counts.values()), rules.highest_band(counts)) for room_id, counts in bands.items()})


@dataclass(frozen=True)
class WalkPosition:
    """The room page's view of the walk: this room's progress, answers (item id -> value) and visit
    record, and the next unfinished room after it."""

    progress: rules.RoomProgress | None
    next_room: Room | None
    answers: dict[int, str]
    visit: RoomVisit | None


def walk_position(inspection: Inspection, room: Room) -> WalkPosition:
    """:func:`ward_progress` seen from one room, without the ligature-point tallies the room page
    does not show; the room's answers and visit come from the same statements.

    :param inspection: the inspection being walked.
    :param room: the room on screen; no progress (and the next unfinished room from the start) if
        it is not active.
    """
    walk = _Walk.load(inspection)
    progress = walk.statuses({})
    here = next((i for i, status in enumerate(progress) if status.room.id == room.id), None)
    upcoming = rules.next_unfinished(progress, after=here)
    return WalkPosition(progress[here].progress if here is not None else None,
                        progress[upcoming].room if upcoming is not None and upcoming != here else None,
                        {item_id: value for item_id, (_, value) in walk.answers.get(room.id, {}).items()},
                        walk.visits.get(room.id))


def with_photos(findings: list[Finding]) -> list[Finding]:
    """Load the photos of these points in one statement (pages that show a thumbnail per point).

    :param findings: points already loaded in this session; returned unchanged, photos loaded.
    """
    if findings:
        by_finding: dict[int, list[Photo]] = {f.id: [] for f in findings}
        for photo in db.session.scalars(select(Photo).where(  # the same rows as Finding.photos
                Photo.finding_id.in_(list(by_finding)), Photo.removed_at.is_(None)).order_by(Photo.id)):
            by_finding[photo.finding_id].append(photo)
        for finding in findings:
            set_committed_value(finding, "photos", by_finding[finding.id])
    return findings


@dataclass
class _Walk:
    """What ward_progress and walk_position share: the ward's active rooms in walk order, the
    pinned checklist's item codes per area type, the answers per room and the visit records."""

    rooms: list[Room]
    items: dict[int, list[str]]
    answers: dict[int, dict[int, tuple[str, str]]]  # room id -> item id -> (code, value)
    visits: dict[int, RoomVisit]

    @classmethod
    def load(cls, inspection: Inspection) -> _Walk:
        rooms = list(db.session.scalars(select(Room).where(Room.ward_id == inspection.ward_id,
                                                           Room.active.is_(True)).order_by(Room.position, Room.id)))
        items: dict[int, list[str]] = {}
        for area_type_id, code in db.session.execute(
                select(ChecklistItem.area_type_id, ChecklistItem.code)
                .where(ChecklistItem.template_id == inspection.template_id).order_by(ChecklistItem.order)):
            items.setdefault(area_type_id, []).append(code)
        answers: dict[int, dict[int, tuple[str, str]]] = {}
        for room_id, item_id, code, value in db.session.execute(
                select(Answer.room_id, Answer.item_id, ChecklistItem.code, Answer.value).join(ChecklistItem)
                .where(Answer.inspection_id == inspection.id)):
            answers.setdefault(room_id, {})[item_id] = (code, value)
        visits = {v.room_id: v for v in db.session.scalars(select(RoomVisit).where(
            RoomVisit.inspection_id == inspection.id))}
        return cls(rooms, items, answers, visits)

    def statuses(self, points: dict[int, tuple[int, Any]]) -> list[RoomStatus]:
        """Each room's status; ``points`` are (present points, highest band) per room."""
        out = []
        for room in self.rooms:
            room_visit = self.visits.get(room.id)
            given = {code: value for code, value in self.answers.get(room.id, {}).values()}
            progress = rules.room_progress(self.items.get(room.area_type_id, []), given,
                                           not_accessible=bool(room_visit and room_visit.not_accessible))
            count, highest = points.get(room.id, (0, None))
            out.append(RoomStatus(room, progress, room_visit.not_accessible_reason if room_visit else None,
                                  count, highest))
        return out


def seen_in(inspection: Inspection) -> tuple:
    """Conditions selecting the ligature points recorded or re-checked in this inspection.

    A superseded version handed its points on to its correction (they are one record each), so
    for it the points are those now on a later version that already existed when it was signed.
    """
    if inspection.status != InspectionStatus.SUPERSEDED:
        # A carried-forward point judged fixed is last seen here, but it is no longer a hazard.
        fixed = select(CarryForward.finding_id).where(CarryForward.inspection_id == inspection.id,
                                                      CarryForward.outcome == CarryForwardOutcome.FIXED.value)
        return (Finding.last_inspection_id == inspection.id, Finding.id.not_in(fixed))
    ids = [inspection.id] + [v.id for v in versions.later_versions(inspection)]
    return (Finding.last_inspection_id.in_(ids), Finding.created_at <= inspection.signed_off_at)


def findings_in(inspection: Inspection, room: Room | None = None) -> list[Finding]:
    """Ligature points present in this inspection (optionally one room), in the order recorded."""
    query = select(Finding).where(*seen_in(inspection), Finding.state == "present")
    if room is not None:
        query = query.where(Finding.room_id == room.id)
    return list(db.session.scalars(query.order_by(Finding.room_id, Finding.id)))


def carried_forward(inspection: Inspection, room: Room | None = None) -> list[Finding]:
    """Points still open from the ward's previous inspection that this inspection must re-check."""
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
    return list(db.session.scalars(query.order_by(Finding.room_id, Finding.id)))
