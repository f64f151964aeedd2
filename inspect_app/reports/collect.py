"""Collect an :class:`~inspect_app.reports.data.InspectionReport` from the database.

A fixed number of statements whatever the size of the inspection up to a chunk of points (a test
counts them): the inspection with its ward, site, trust, template and previous inspection; the room
progress (``ward_progress``); area types; carry-forward outcomes; then per chunk of
``collect_rows.CHUNK`` points the points, their grades, photos, actions and acceptance events;
withdrawn points; bulk answers per room.

The points, grades, photos and actions are read as plain rows (``collect_rows``), never as mapped
objects, and what the report prints is made from each chunk before the next is read.

Which points an inspection holds: those first identified in it, and earlier points whose
carry-forward outcome was recorded in it. ``Finding.last_inspection_id`` is not used, because
a later inspection moves it and an old report would lose its points.

A signed-off report shows the grade and photos as they were at sign-off (the latest grade
and photos up to that moment), so a re-grade months later does not rewrite a governance
record; a draft shows the latest.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from inspect_app.checklists.models import ChecklistItem
from inspect_app.domain.assurance import (
    ASSESSMENT_TYPES,
    Capacity,
    next_assessment_due,
    required_capacities,
    resets_assessment_clock,
)
from inspect_app.domain.checklist import Answer as AnswerValue
from inspect_app.domain.checklist import InspectionType, na_reason_text
from inspect_app.domain.grading import GradingPolicy
from inspect_app.domain.risk import MITIGATIONS, Band, BandPolicy, Tier
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import AreaType, Room, Site, Ward
from inspect_app.extensions import db
from inspect_app.findings.services import grading_policy_for, policy_for
from inspect_app.incidents import queries as incident_queries
from inspect_app.inspections import assurance as assurance_reads
from inspect_app.inspections.models import Answer, CarryForward, Inspection, InspectionStatus
from inspect_app.inspections.services import signoff_problems
from inspect_app.inspections.walk import ward_progress
from inspect_app.photos.services import storage
from inspect_app.plans.mapdata import report_plan
from inspect_app.stores.storage import local_file

from .bands import BAND_RANK, all_bands, band_info, band_matrix, report_action
from .collect_rows import Chunk, GradeRow, PhotoRow, PointRow, point_chunks, withdrawn_points
from .data import (
    BandInfo,
    ChangeSummary,
    InspectionReport,
    ReportAction,
    ReportAnswerNote,
    ReportFinding,
    ReportFlag,
    ReportIncident,
    ReportPhoto,
    ReportRoom,
    ReportSignatory,
    WithdrawnPoint,
)

PhotoSource = Callable[[PhotoRow], str]  # a photo row (uuid, key_report) -> path or URL
# A draft can hold a point not graded yet (sign-off refuses that); it prints as such.
UNGRADED = BandInfo("ungraded", "Not graded", "#e8edee", "#212b32")


def photo_file(photo: PhotoRow) -> str:
    """The absolute path of the photo's 800 px report rendition (what the PDF embeds).

    With object storage the rendition is copied once into ``<instance>/photo-cache``.
    """
    cache = Path(current_app.config["INSTANCE_DIR"]) / "photo-cache"
    return str(local_file(storage(), photo.key_report, cache).resolve())


def load_inspection(inspection_id: int) -> Inspection | None:
    return db.session.scalar(select(Inspection).where(Inspection.id == inspection_id).options(
        joinedload(Inspection.ward).joinedload(Ward.site).joinedload(Site.trust),
        joinedload(Inspection.template), joinedload(Inspection.previous_inspection)))


def _label(enum, value: str | None) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value or ""


@dataclass
class _Collected:
    """What the report keeps of its points as the chunks go by (``collect_rows``): the printed findings
    by room and action rows, the failed checks' references, the points for the plan and a count."""

    by_room: dict[int, list[ReportFinding]] = field(default_factory=lambda: defaultdict(list))
    actions: list[ReportAction] = field(default_factory=list)
    checks: dict[tuple[int, int | None], str] = field(default_factory=dict)  # (room, item) -> FC- reference
    pinned: list[PointRow] = field(default_factory=list)  # ligature points still on the ward, for the plan
    new: int = 0  # ligature points first identified in this inspection


@dataclass(frozen=True)
class _Context:
    inspection_id: int
    until: datetime | None
    now: datetime
    outcomes: dict[int, str]
    room_names: dict[int, str]
    ward: Ward
    policy: BandPolicy
    rules: GradingPolicy
    photo_source: PhotoSource


def _grade_at(grades: list[GradeRow], until: datetime | None) -> GradeRow | None:
    """The point's grade as at ``until`` (the latest if None; its first if it was graded only after)."""
    chosen = None
    for grade in grades:
        if until is None or grade.graded_at <= until or chosen is None:
            chosen = grade
    return chosen


def _report_photos(photos: list[PhotoRow], source: PhotoSource) -> list[ReportPhoto]:
    out = []
    for photo in photos:
        try:
            out.append(ReportPhoto(source(photo), photo.caption or ""))
        except FileNotFoundError:  # a lost file must not stop the report; `photos check` finds it
            current_app.logger.warning("report: photo %s has no report rendition", photo.uuid)
    return out


def _add_chunk(kept: _Collected, chunk: Chunk, ctx: _Context) -> None:
    """Turn one chunk of rows into what the report prints; the rows go with the chunk."""
    for point in chunk.points:
        grades, action = chunk.grades.get(point.id, []), chunk.actions.get(point.id)
        room = ctx.room_names.get(point.room_id, "")
        if action is not None:
            kept.actions.append(report_action(action, finding=point, room=room, ward=ctx.ward.name,
                                              site=ctx.ward.site.name, policy=ctx.policy, now=ctx.now,
                                              grades=grades, rules=ctx.rules))
        if point.kind == "check":  # shown with its answer (answer_notes) and in the action plan
            kept.checks[(point.room_id, point.item_id)] = point.ref
            continue
        kept.new += point.inspection_id == ctx.inspection_id
        outcome = ctx.outcomes.get(point.id)
        if point.state == "present" and outcome != "fixed":
            kept.pinned.append(point)
        item = _finding(point, room, _grade_at(grades, ctx.until), outcome,
                        _report_photos(chunk.photos.get(point.id, []), ctx.photo_source), ctx.policy)
        story = assurance_reads.grade_story(point, action, grades)
        kept.by_room[point.room_id].append(replace(item, grade_story=story.text(), accepted=story.accepted))


def _answer_notes(inspection: Inspection, checks: dict[tuple[int, int | None], str]
                  ) -> dict[int, list[ReportAnswerNote]]:
    """Per room, the Not applicable answers with their reasons and the failed checks with their notes
    (one statement), in checklist order."""
    rows = db.session.execute(
        select(Answer.room_id, Answer.item_id, Answer.value, Answer.comment, Answer.na_reason, Answer.na_detail,
               ChecklistItem.code, ChecklistItem.prompt)
        .join(ChecklistItem, ChecklistItem.id == Answer.item_id)
        .where(Answer.inspection_id == inspection.id,
               Answer.value.in_([AnswerValue.NA.value, AnswerValue.FAIL.value]))
        .order_by(Answer.room_id, ChecklistItem.order, ChecklistItem.id))
    out: dict[int, list[ReportAnswerNote]] = defaultdict(list)
    for room_id, item_id, value, comment, na_reason, na_detail, code, prompt in rows:
        if value == AnswerValue.NA.value:
            out[room_id].append(ReportAnswerNote(code, prompt, "Not applicable", na_reason_text(na_reason, na_detail)))
        else:
            out[room_id].append(ReportAnswerNote(code, prompt, "Failed check", comment or "No note recorded",
                                                 checks.get((room_id, item_id))))
    return out


def _closed_rooms(ids: set[int]) -> list[Room]:
    """Rooms closed since the inspection that still hold its points (rare: one statement if any)."""
    if not ids:
        return []
    return list(db.session.scalars(select(Room).where(Room.id.in_(ids)).order_by(Room.position, Room.id)))


def _closed_report_rooms(rooms: list[Room], by_room, areas) -> list[ReportRoom]:
    return [ReportRoom(name=room.name, area_type=areas.get(room.area_type_id, ""), tier=_label(Tier, room.tier),
                       state="complete", not_accessible_reason=None, items_answered=0, items_total=0,
                       findings=tuple(replace(f, room=room.name) for f in by_room[room.id]))
            for room in rooms]


def _finding(point: PointRow, room: str, grade: GradeRow | None, outcome: str | None,
             photos: list[ReportPhoto], policy) -> ReportFinding:
    lik, con = (grade.likelihood, grade.consequence) if grade else (point.likelihood, point.consequence)
    band = grade.band if grade else point.band
    return ReportFinding(
        ref=point.ref, room=room, location=point.location, category=point.category,
        description=point.description, likelihood=lik or 0, consequence=con or 0,
        score=(lik or 0) * (con or 0),
        band=band_info(policy, band) if band else UNGRADED,
        tier=_label(Tier, grade.tier) if grade else "", existing_controls=point.existing_controls,
        mitigation=MITIGATIONS.get(point.mitigation or "", ""),
        recommended_action=point.recommended_action, carry_forward=outcome,
        photos=tuple(photos), grade_reasons=tuple(grade.reasons or ()) if grade else (),
    )


def _incidents(inspection: Inspection, now: datetime) -> tuple[datetime | None, tuple[ReportIncident, ...]]:
    """Incidents on the ward since its last assessment before this report's moment."""
    moment = inspection.signed_off_at or now
    since = incident_queries.last_assessed_before(inspection.ward_id, moment)
    rows = incident_queries.incidents_between(inspection.ward_id, since, moment)
    return since, tuple(ReportIncident(
        ref=i.ref, reference=i.reference or "", occurred_at=i.occurred_at, room=i.room.name, kind=i.type_label,
        outcome=i.outcome_label,
        point=i.finding.ref if i.finding else ("To be found" if i.needs_point else (i.point_note or "No anchor point")))
        for i in rows)


def _risk_matrix(by_room: dict[int, list[ReportFinding]]):
    """The 5x5 counts, each cell's highest band, and the band counts of the risk still on the ward.

    A point judged fixed is not on the ward any more, so it counts nowhere.
    """
    heat = [[0] * 5 for _ in range(5)]
    held_bands: list[list[BandInfo | None]] = [[None] * 5 for _ in range(5)]
    counts = dict.fromkeys(BAND_RANK, 0)
    for item in (f for found in by_room.values() for f in found):
        if item.carry_forward == "fixed" or not item.likelihood or item.band.code not in counts:
            continue
        heat[item.likelihood - 1][item.consequence - 1] += 1
        counts[item.band.code] += 1
        held = held_bands[item.likelihood - 1][item.consequence - 1]
        if held is None or BAND_RANK[item.band.code] > BAND_RANK[held.code]:
            held_bands[item.likelihood - 1][item.consequence - 1] = item.band
    return heat, held_bands, counts


def _rooms(inspection: Inspection, progress, *, areas, by_room, notes) -> list[ReportRoom]:
    """Every room of the walk in order, with its points, answer notes, bulk answers and label scans."""
    scans = assurance_reads.label_scans(inspection)
    not_applicable = _not_applicable(inspection)
    bulk = dict(db.session.execute(select(Answer.room_id, func.count()).where(
        Answer.inspection_id == inspection.id, Answer.bulk.is_(True)).group_by(Answer.room_id)).all())
    return [ReportRoom(
        name=s.room.name, area_type=areas.get(s.room.area_type_id, ""), tier=_label(Tier, s.room.tier),
        state=s.state.value, not_accessible_reason=s.not_accessible_reason,
        items_answered=s.progress.answered, items_total=s.progress.total,
        findings=tuple(by_room.get(s.room.id, ())), answer_notes=tuple(notes.get(s.room.id, ())),
        bulk_compliant=bulk.get(s.room.id, 0), label_scanned=s.room.id in scans,
        not_applicable=tuple(not_applicable.get(s.room.id, ()))) for s in progress]


def _change(inspection: Inspection, new: int, outcomes: dict[int, str]) -> ChangeSummary:
    """What this walk found new, and what became of the points carried forward."""
    previous = inspection.previous_inspection
    return ChangeSummary(
        new=new,
        still_present=sum(o == "still_present" for o in outcomes.values()),
        fixed=sum(o == "fixed" for o in outcomes.values()),
        fixed_defective=sum(o == "fixed_defective" for o in outcomes.values()),
        previous_inspection=previous.ref if previous else None)


def _sign_off_fields(inspection: Inspection) -> dict:
    """Who signed, with what words and team (nothing while the inspection is open)."""
    until = inspection.signed_off_at
    return {
        "signed_off_at": until,
        "signed_off_by": " and ".join(s.name for s in inspection.signatures) or inspection.signature_name
        if until else None,
        "attestation": inspection.attestation if until else None,
        "team": tuple(f"{m['name']} ({m['role']})" if m.get("role") else m["name"] for m in inspection.team or ()),
        "signatories": tuple(ReportSignatory(_label(Capacity, s.capacity), s.name, _label(Role, s.role), s.signed_at,
                                             len(s.acknowledged_flags or ())) for s in inspection.signatures),
    }


def _withdrawn(inspection_id: int, room_names) -> tuple[WithdrawnPoint, ...]:
    return tuple(WithdrawnPoint(ref=p.ref, room=room_names.get(p.room_id, ""), category=p.category,
                                description=p.description, reason=p.withdrawn_reason or "",
                                withdrawn_by=p.withdrawn_by or "", withdrawn_at=p.withdrawn_at)
                 for p in withdrawn_points(inspection_id))


def inspection_report(inspection: Inspection, *, by, now: datetime,
                      photo_source: PhotoSource = photo_file) -> InspectionReport:
    """Snapshot an inspection for the PDF (or the HTML page).

    :param inspection: loaded with :func:`load_inspection` (ward, site, trust, template).
    :param by: the user asking; printed as the report's author.
    :param now: the report's clock (generation time, ages, overdue days).
    :param photo_source: what a photo becomes in ``ReportPhoto.path``: the rendition's file
        path for the PDF; the HTML page passes a URL builder.
    """
    ward = inspection.ward
    policy = policy_for(ward)
    until = inspection.signed_off_at
    progress = ward_progress(inspection)
    areas = dict(db.session.execute(select(AreaType.id, AreaType.name)).all())
    outcomes = dict(db.session.execute(select(CarryForward.finding_id, CarryForward.outcome)
                                       .where(CarryForward.inspection_id == inspection.id)).all())
    room_names = {status.room.id: status.room.name for status in progress}
    ctx = _Context(inspection.id, until, now, outcomes, room_names, ward, policy, grading_policy_for(ward),
                   photo_source)
    kept = _Collected()
    for chunk in point_chunks(inspection.id, until):
        _add_chunk(kept, chunk, ctx)
    by_room = kept.by_room
    notes = _answer_notes(inspection, kept.checks)
    heat, held_bands, counts = _risk_matrix(by_room)
    rooms = _rooms(inspection, progress, areas=areas, by_room=by_room, notes=notes)
    closed = _closed_rooms(set(by_room) - set(room_names))
    rooms += _closed_report_rooms(closed, by_room, areas)
    kept.actions.sort(key=lambda a: (-BAND_RANK.get(a.band.code, -1), a.target_date, a.ref))
    incidents_since, incidents = _incidents(inspection, now)
    return InspectionReport(
        trust=ward.site.trust.name, site=ward.site.name, ward=ward.name,
        patient_group=ward.patient_group_label, inspection_ref=inspection.ref,
        inspection_type=_label(InspectionType, inspection.inspection_type),
        started_at=inspection.started_at, **_sign_off_fields(inspection),
        checklist_name=inspection.template.name, checklist_version=inspection.template.version,
        rooms=tuple(rooms), actions=tuple(kept.actions), heatmap=tuple(tuple(row) for row in heat),
        band_matrix=band_matrix(policy),
        band_counts=tuple((band_info(policy, band), counts[band.value]) for band in Band),
        change=_change(inspection, kept.new, outcomes),
        generated_at=now, generated_by=by.name,
        heat_bands=tuple(tuple(row) for row in held_bands),
        flags=_flags_by_room(assurance_reads.flags_for(inspection, progress)),
        not_done=tuple(_not_done(inspection, progress)) if until is None else (),
        is_assessment=resets_assessment_clock(inspection.inspection_type),
        next_assessment_due=_next_due(inspection), bands=all_bands(policy),
        floor_plan=report_plan(ward, _in_walk_order(kept.pinned, room_names), now=now,
                               rooms={room.id: room for room in closed}),
        withdrawn=_withdrawn(inspection.id, room_names),
        incidents=incidents, incidents_since=incidents_since,
    )


def _flags_by_room(flags) -> tuple[ReportFlag, ...]:
    """One line per room, its flags joined, in walk order."""
    rooms: dict[str, list[str]] = {}
    for flag in flags:
        rooms.setdefault(flag.room_name, []).append(flag.text.rstrip("."))
    return tuple(ReportFlag(room, "; ".join(texts) + ".") for room, texts in rooms.items())


def _not_done(inspection: Inspection, progress) -> list[str]:
    """What a draft still lacks, in words: rooms not inspected, sign-off blockers, signatures."""
    lines = []
    untouched = sum(1 for s in progress if s.state.value in ("not_started", "in_progress"))
    if untouched:
        lines.append(f"{untouched} of {len(progress)} rooms not yet inspected.")
    lines += [p for p in signoff_problems(inspection, progress) if "has not been inspected yet" not in p
              and "has unanswered items" not in p]
    signed = {s.capacity for s in inspection.signatures}
    for capacity in required_capacities(inspection.inspection_type):
        if capacity.value not in signed:
            lines.append(f"{capacity.label}: not signed.")
    return lines


def _next_due(inspection: Inspection):
    """When the ward's next full annual assessment is due, as far as this report knows: from this
    inspection if it is a signed-off annual assessment, else from the ward's last one (None: due now)."""
    last = db.session.scalar(
        select(Inspection.signed_off_at).where(
            Inspection.ward_id == inspection.ward_id, Inspection.status == InspectionStatus.SIGNED_OFF,
            Inspection.inspection_type.in_([t.value for t in ASSESSMENT_TYPES]))
        .order_by(Inspection.signed_off_at.desc()).limit(1))
    return next_assessment_due(last.date() if last else None)


def _not_applicable(inspection: Inspection) -> dict[int, list[str]]:
    """``{room id: ["BED-03 Curtain rail ...", ...]}`` for the items answered not applicable."""
    out: dict[int, list[str]] = defaultdict(list)
    for room_id, code, prompt in db.session.execute(
            select(Answer.room_id, ChecklistItem.code, ChecklistItem.prompt).join(ChecklistItem)
            .where(Answer.inspection_id == inspection.id, Answer.value == AnswerValue.NA.value)
            .order_by(Answer.room_id, ChecklistItem.order, ChecklistItem.id)):
        out[room_id].append(f"{code} {prompt}")
    return out


def _in_walk_order(points: list[PointRow], room_names: dict) -> list[PointRow]:
    """The report's ligature points still on the ward, in the report's room order, for its plan."""
    order = {room_id: n for n, room_id in enumerate(room_names)}
    return sorted(points, key=lambda p: (order.get(p.room_id, len(order)), p.id))
