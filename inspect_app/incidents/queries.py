"""Reading incidents, ward-scoped: lists, open "find the point" tasks, the wards an incident flags
for re-assessment, incidents since a ward's last assessment, and the dashboard's 12-month picture.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from inspect_app.domain.checklist import InspectionType
from inspect_app.domain.incidents import IncidentType
from inspect_app.estates.models import Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.incidents.models import Incident
from inspect_app.inspections.models import Inspection, InspectionStatus

#: A signed-off annual assessment or re-assessment clears the flag an incident raised, when it
#: began at or after the incident: a walk already under way when the incident happened (or was
#: recorded) did not look at the ward in its light, however late it was signed off.
CLEARING_TYPES = (InspectionType.ANNUAL.value, InspectionType.REASSESSMENT.value)
CLEARING_STATUSES = (InspectionStatus.SIGNED_OFF, InspectionStatus.SUPERSEDED)
WINDOW_DAYS = 365


def incident_rows() -> Select:
    """Any incident at all: the existence test the incident views register with ``inspect_app.presence``."""
    return select(Incident.id)


def _scoped(query, ward_ids: set[int] | None):
    return query if ward_ids is None else query.where(Incident.ward_id.in_(ward_ids or [0]))


def incident_list(ward_ids: set[int] | None, *, limit: int = 200) -> list[Incident]:
    query = (select(Incident).options(joinedload(Incident.ward), joinedload(Incident.room),
                                      joinedload(Incident.finding))
             .order_by(Incident.occurred_at.desc(), Incident.id.desc()).limit(limit))
    return list(db.session.scalars(_scoped(query, ward_ids)))


def open_point_tasks(room_id: int) -> list[Incident]:
    """Incidents in the room still waiting for their point to be found."""
    query = (select(Incident).where(Incident.room_id == room_id, Incident.finding_id.is_(None),
                                    Incident.point_resolved_at.is_(None),
                                    Incident.incident_type != IncidentType.NO_ANCHOR.value)
             .order_by(Incident.occurred_at))
    return list(db.session.scalars(query))


def at_point(finding_id: int) -> list[Incident]:
    return list(db.session.scalars(select(Incident).where(Incident.finding_id == finding_id)
                                   .order_by(Incident.occurred_at.desc(), Incident.id.desc())))


def points_in_room(room_id: int) -> list[Finding]:
    """The room's ligature points not removed, oldest first (an incident's "find the point" choices)."""
    return _points(Finding.room_id == room_id)


def points_on_ward(ward_id: int) -> list[Finding]:
    """The ward's ligature points not removed, oldest first (the "point" choices of a new incident)."""
    return _points(Finding.ward_id == ward_id)


def _points(where) -> list[Finding]:
    return list(db.session.scalars(select(Finding).where(
        where, Finding.kind == "ligature", Finding.state != "removed").order_by(Finding.id)))


def point(finding_id: int) -> Finding | None:
    """The finding with this id (any ward, any kind), or None; the service checks it fits the incident."""
    return db.session.get(Finding, finding_id)


def last_assessed_before(ward_id: int, before: datetime | None) -> datetime | None:
    """When the ward's last annual assessment or re-assessment signed off before ``before`` began
    (the latest start among them: see ``CLEARING_TYPES``)."""
    clearing = select(func.max(Inspection.started_at)).where(
        Inspection.ward_id == ward_id, Inspection.status.in_(CLEARING_STATUSES),
        Inspection.inspection_type.in_(CLEARING_TYPES))
    if before is not None:
        clearing = clearing.where(Inspection.signed_off_at < before)
    return db.session.scalar(clearing)


def since_assessment(ward_id: int, *, before: datetime | None = None) -> list[Incident]:
    """Incidents on the ward since its last assessment (signed off before ``before``, when given)."""
    return incidents_between(ward_id, last_assessed_before(ward_id, before), before)


def incidents_between(ward_id: int, since: datetime | None, until: datetime | None) -> list[Incident]:
    """Incidents on the ward that happened, or were recorded, at or after ``since`` (None: ever),
    that had happened by ``until`` (None: now)."""
    query = (select(Incident).where(Incident.ward_id == ward_id).options(joinedload(Incident.room),
                                                                         joinedload(Incident.finding))
             .order_by(Incident.occurred_at, Incident.id))
    if since is not None:
        query = query.where(or_(Incident.occurred_at >= since, Incident.recorded_at >= since))
    if until is not None:
        query = query.where(Incident.occurred_at <= until)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class FlaggedWard:
    ward: Ward
    incidents: int
    latest: datetime


def wards_to_reassess(ward_ids: set[int] | None) -> list[FlaggedWard]:
    """Wards with an incident since their last assessment began: each needs a re-assessment.

    Two statements however many wards are flagged (the dashboard shows this): the incidents since
    each ward's last clearing assessment (as :func:`since_assessment` counts them) grouped by ward,
    then those wards; none when no ward has one."""
    last = (select(func.max(Inspection.started_at)).where(
        Inspection.ward_id == Incident.ward_id, Inspection.status.in_(CLEARING_STATUSES),
        Inspection.inspection_type.in_(CLEARING_TYPES)).scalar_subquery())
    since = or_(last.is_(None), Incident.occurred_at >= last, Incident.recorded_at >= last)
    counts = {ward_id: (n, latest) for ward_id, n, latest in db.session.execute(_scoped(
        select(Incident.ward_id, func.count(), func.max(Incident.occurred_at)).where(since)
        .group_by(Incident.ward_id), ward_ids))}
    if not counts:
        return []
    wards = db.session.scalars(select(Ward).where(Ward.active.is_(True), Ward.id.in_(list(counts)))
                               .options(joinedload(Ward.site)).order_by(Ward.name))
    return [FlaggedWard(ward, *counts[ward.id]) for ward in wards]


@dataclass(frozen=True)
class Picture:
    """Incidents over 12 months counted three ways, and open points in the same categories."""

    by_ward: list[tuple[str, int]]
    by_type: list[tuple[str, int]]
    by_category: list[tuple[str, int, int]]  # (category, incidents, open points)
    total: int

    @property
    def largest(self) -> int:
        counts = [n for _, n in self.by_ward + self.by_type] + [max(a, b) for _, a, b in self.by_category]
        return max(counts, default=0) or 1


def picture(ward_ids: set[int] | None, *, now: datetime) -> Picture:
    """The dashboard's 12-month picture of incidents, next to the open points of their categories."""
    query = (select(Incident).where(Incident.occurred_at >= now - timedelta(days=WINDOW_DAYS))
             .options(joinedload(Incident.ward), joinedload(Incident.finding)))
    found = list(db.session.scalars(_scoped(query, ward_ids)))
    wards = Counter(i.ward.name for i in found)
    types = Counter(i.type_label for i in found)
    categories = Counter(i.category for i in found)
    points = _open_points_by_category(ward_ids, set(categories))
    return Picture(by_ward=_ranked(wards), by_type=_ranked(types),
                   by_category=[(c, n, points.get(c, 0)) for c, n in _ranked(categories)], total=len(found))


def _ranked(counts: Counter) -> list[tuple[str, int]]:
    """Most first; ties in name order, so the picture does not reshuffle between loads."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _open_points_by_category(ward_ids: set[int] | None, categories: set[str]) -> dict[str, int]:
    if not categories:
        return {}
    query = (select(Finding.category, func.count()).where(Finding.state == "present", Finding.kind == "ligature",
                                                          Finding.category.in_(categories))
             .group_by(Finding.category))
    if ward_ids is not None:
        query = query.where(Finding.ward_id.in_(ward_ids or [0]))
    return dict(db.session.execute(query).all())
