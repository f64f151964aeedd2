"""The inspection report's points, grades, photos and actions as plain rows, a chunk at a time.

Column selects into slotted dataclasses, never mapped objects: a mapped point with its grades,
photos and action costs the session's identity map and instance state about 14 KB, a row a few
hundred bytes, and its strings are the very ones the report's snapshot keeps. The rows carry the
models' own names (``band``, ``score``, ``grades``' ``kind``...) so the shared read functions
(``grade_story``, ``trio_of``, ``report_action``, ``plan_map``) take either.

:func:`point_chunks` reads the points ``CHUNK`` at a time in id order (keyset, so a chunk never
re-reads an earlier one) and each chunk's grades, photos, actions and acceptance events with it:
five statements a chunk, whatever the chunk holds, and the collector keeps only what the report
prints once a chunk is done.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import or_, select

from inspect_app.actions.models import Action, ActionEvent, ActionFacts
from inspect_app.auth.models import User
from inspect_app.domain.workflow import ActionStatus
from inspect_app.extensions import db
from inspect_app.findings.models import Finding, FindingGrade
from inspect_app.inspections.models import CarryForward
from inspect_app.photos.models import Photo

#: Points read per chunk (with their grades, photos and actions); an IN list of this many ids.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class PointRow:
    """A ligature point (or failed check) as the report reads it."""

    id: int
    kind: str
    room_id: int
    inspection_id: int
    item_id: int | None
    category: str
    description: str
    location: str
    existing_controls: str
    mitigation: str | None
    recommended_action: str
    likelihood: int | None
    consequence: int | None
    score: int | None
    band: str | None
    state: str
    pin_x: float | None
    pin_y: float | None

    @property
    def ref(self) -> str:  # as Finding.ref
        return f"{'FC' if self.kind == 'check' else 'LP'}-{self.id:05d}"


POINT_COLUMNS = tuple(getattr(Finding, name) for name in PointRow.__slots__)


@dataclass(frozen=True, slots=True)
class WithdrawnRow:
    id: int
    room_id: int
    category: str
    description: str
    withdrawn_reason: str | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None  # the account's name

    @property
    def ref(self) -> str:
        return f"LP-{self.id:05d}"


@dataclass(frozen=True, slots=True)
class GradeRow:
    finding_id: int
    kind: str
    likelihood: int
    consequence: int
    score: int
    band: str
    tier: str
    reasons: list
    graded_at: datetime


@dataclass(frozen=True, slots=True)
class PhotoRow:
    """What a photo source needs: the report rendition's key (the PDF) or the uuid (the HTML page)."""

    finding_id: int
    uuid: str
    key_report: str
    caption: str | None


@dataclass(frozen=True, slots=True)
class EventRow:
    """An action event a risk acceptance's story reads."""

    action_id: int
    kind: str
    to_status: str | None
    by_name: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ActionLine(ActionFacts):
    """An action's columns the report prints, its owner's name and (risk accepted) its events."""

    id: int
    finding_id: int
    status: str
    band: str
    target_date: date
    interim_by: datetime | None
    interim_in_place_at: datetime | None
    interim_control: str | None
    interim_review_date: date | None
    accepted_review_date: date | None
    accepted_rationale: str | None
    created_at: datetime
    owner_team: str | None
    owner_name: str | None
    events: tuple[EventRow, ...] = ()


@dataclass(slots=True)
class Chunk:
    """Up to ``CHUNK`` points of the report and what belongs to them."""

    points: list[PointRow]
    grades: dict[int, list[GradeRow]]  # every grade of each point, in order
    photos: dict[int, list[PhotoRow]]  # photos not removed, uploaded by ``until`` when given
    actions: dict[int, ActionLine]  # by point


def point_chunks(inspection_id: int, until: datetime | None, size: int | None = None) -> Iterator[Chunk]:
    """The inspection's points not withdrawn (first identified in it, or carried forward in it) in id
    order, ``size`` at a time, each chunk with its grades, photos and actions.

    The last chunk is shorter than ``size`` (it may be empty: an inspection with no points, or a
    multiple of ``size``); it is still read with its four companions, so the statements depend on
    the number of chunks alone.
    """
    size = size or CHUNK
    carried = select(CarryForward.finding_id).where(CarryForward.inspection_id == inspection_id)
    query = (select(*POINT_COLUMNS).where(or_(Finding.inspection_id == inspection_id, Finding.id.in_(carried)),
                                          Finding.state != "removed")
             .order_by(Finding.id).limit(size))
    after = 0
    while True:
        points = [PointRow(*row) for row in db.session.execute(query.where(Finding.id > after))]
        ids = [p.id for p in points] or [0]
        yield Chunk(points, _grades(ids), _photos(ids, until), _actions(ids))
        if len(points) < size:
            return
        after = points[-1].id


def _grades(ids: list[int]) -> dict[int, list[GradeRow]]:
    out: dict[int, list[GradeRow]] = defaultdict(list)
    query = select(*(getattr(FindingGrade, n) for n in GradeRow.__slots__)).where(FindingGrade.finding_id.in_(ids))
    for row in db.session.execute(query.order_by(FindingGrade.id)):
        out[row[0]].append(GradeRow(*row))
    return out


def _photos(ids: list[int], until: datetime | None) -> dict[int, list[PhotoRow]]:
    query = select(*(getattr(Photo, n) for n in PhotoRow.__slots__)).where(
        Photo.finding_id.in_(ids), Photo.removed_at.is_(None))
    if until is not None:
        query = query.where(Photo.uploaded_at <= until)
    out: dict[int, list[PhotoRow]] = defaultdict(list)
    for row in db.session.execute(query.order_by(Photo.id)):
        out[row[0]].append(PhotoRow(*row))
    return out


def _actions(ids: list[int]) -> dict[int, ActionLine]:
    """The points' actions with their owners' names; a risk-accepted one with the events its story reads."""
    names = [n for n in ActionLine.__slots__ if n not in ("owner_name", "events")]
    rows = db.session.execute(select(*(getattr(Action, n) for n in names), User.name)
                              .outerjoin(User, User.id == Action.owner_id).where(Action.finding_id.in_(ids)))
    lines = [ActionLine(*row) for row in rows]
    accepted = [a.id for a in lines if a.status == ActionStatus.RISK_ACCEPTED.value] or [0]
    events: dict[int, list[EventRow]] = defaultdict(list)
    for row in db.session.execute(
            select(*(getattr(ActionEvent, n) for n in EventRow.__slots__))
            .where(ActionEvent.action_id.in_(accepted),
                   or_(ActionEvent.kind == "proposal", ActionEvent.to_status == ActionStatus.RISK_ACCEPTED.value))
            .order_by(ActionEvent.id)):
        events[row[0]].append(EventRow(*row))
    return {a.finding_id: replace(a, events=tuple(events[a.id])) if a.id in events else a for a in lines}


def withdrawn_points(inspection_id: int) -> list[WithdrawnRow]:
    """The inspection's ligature points withdrawn as recorded in error, with who withdrew them.

    A failed check answered pass or N/A later is withdrawn with its answer, not "recorded in error".
    """
    carried = select(CarryForward.finding_id).where(CarryForward.inspection_id == inspection_id)
    names = [n for n in WithdrawnRow.__slots__ if n != "withdrawn_by"]
    rows = db.session.execute(
        select(*(getattr(Finding, n) for n in names), User.name).outerjoin(User, User.id == Finding.withdrawn_by_id)
        .where(or_(Finding.inspection_id == inspection_id, Finding.id.in_(carried)),
               Finding.state == "removed", Finding.kind == "ligature").order_by(Finding.id))
    return [WithdrawnRow(*row) for row in rows]
