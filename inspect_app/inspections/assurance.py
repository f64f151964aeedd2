"""Reads that keep screens and reports honest: each point's grade story (original, current,
residual and who accepted it), each room's "needs a second look" flags, and the trust's thresholds.

Read-only; the rules themselves are in ``domain.assurance``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from inspect_app.domain import assurance
from inspect_app.domain.assurance import Flag, RoomFacts, SecondLookPolicy
from inspect_app.estates.models import Room
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Answer, Inspection, RoomVisit
from inspect_app.photos.models import Photo


@dataclass(frozen=True)
class GradeStory:
    """A point's grade over time, for reports and evidence: never only the flattering one."""

    original_band: str | None
    original_score: int | None
    current_band: str | None
    residual_band: str | None = None
    residual_score: int | None = None
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    proposed_by: str | None = None  # the safety lead who proposed it, when a risk approver accepted it
    review_date: date | None = None
    rationale: str | None = None

    @property
    def accepted(self) -> bool:
        return self.accepted_by is not None or self.residual_band is not None

    def text(self) -> str:
        """One line: "Original Extreme (20); residual Low (4), accepted by X on 3 Mar 2025, review 1 Jun 2025"."""
        original = (self.original_band or "ungraded").capitalize()
        if self.original_score is not None:
            original += f" ({self.original_score})"
        if not self.accepted:
            if self.current_band != self.original_band:
                original = f"Original {original}; current {(self.current_band or 'ungraded').capitalize()}"
            return original
        original = "Original " + original
        accepted = f"; residual {(self.residual_band or '?').capitalize()}"
        if self.residual_score is not None:
            accepted += f" ({self.residual_score})"
        accepted += ", risk accepted"
        if self.accepted_by:
            accepted += f" by {self.accepted_by}"
        if self.accepted_at:
            accepted += f" on {self.accepted_at:%-d %b %Y}"
        if self.proposed_by and self.proposed_by != self.accepted_by:
            accepted += f" on the proposal of {self.proposed_by}"
        if self.review_date:
            accepted += f", review by {self.review_date:%-d %b %Y}"
        return original + accepted


def grade_story(finding, action=None, grades=None) -> GradeStory:
    """The grade story of one finding.

    :param grades: the finding's grades in order, when the caller loaded them in bulk; else read.
    """
    grades = list(finding.grades if grades is None else grades)
    residuals = [g for g in grades if g.kind == "residual"]
    story = _original_grade(finding, grades, residuals)
    if action is not None and action.status == "risk_accepted":
        story.update(_acceptance(finding, action, residuals[-1] if residuals else None))
    return GradeStory(**story)


def _original_grade(finding, grades, residuals) -> dict:
    """The grade before any risk acceptance, and the point's grade now."""
    originals = [g for g in grades if g.kind != "residual"]
    if originals:
        return dict(original_band=originals[-1].band, original_score=originals[-1].score, current_band=finding.band)
    if residuals:  # the grade before acceptance was not recorded: never pass the residual off as it
        return dict(original_band=None, original_score=None, current_band=finding.band)
    return dict(original_band=finding.band, original_score=finding.score, current_band=finding.band)


def _acceptance(finding, action, residual) -> dict:
    """Who accepted the risk (and on whose proposal), at what residual grade, until when."""
    event = next((e for e in reversed(action.events) if e.to_status == "risk_accepted"), None)
    proposal = next((e for e in reversed(action.events) if e.kind == "proposal"
                     and (event is None or e.at <= event.at)), None)
    return dict(residual_band=residual.band if residual else finding.band,
                residual_score=residual.score if residual else None,
                accepted_by=event.by_name if event else None, accepted_at=event.at if event else None,
                proposed_by=proposal.by_name if proposal else None,
                review_date=action.accepted_review_date, rationale=action.accepted_rationale)


def second_look_policy(ward) -> SecondLookPolicy:
    """The trust's thresholds (the defaults unless the trust set its own)."""
    try:  # inspection pages load the ward's site and trust with the inspection
        return SecondLookPolicy.from_dict(ward.site.trust.assurance_policy)
    except (TypeError, ValueError):
        return assurance.DEFAULT_SECOND_LOOK


def room_facts(inspection: Inspection, progress=None) -> list[RoomFacts]:
    """Every answered room of the inspection with its answers, their times and its photo count.

    :param progress: ``walk.ward_progress(inspection)`` when the caller has it (saves two reads).
    """
    answers: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for room_id, value, at in db.session.execute(
            select(Answer.room_id, Answer.value, Answer.answered_at).where(Answer.inspection_id == inspection.id)):
        answers[room_id].append((value, at))
    if not answers:
        return []
    # Photos of the room's points, and of the room itself, taken in this inspection (one statement).
    point_photos = (select(Finding.room_id.label("room_id"), Photo.id.label("photo_id"))
                    .join(Photo, Photo.finding_id == Finding.id)
                    .where(Finding.last_inspection_id == inspection.id, Photo.removed_at.is_(None)))
    room_photos = select(Photo.room_id, Photo.id).where(Photo.inspection_id == inspection.id,
                                                        Photo.room_id.is_not(None), Photo.removed_at.is_(None))
    both = point_photos.union_all(room_photos).subquery()
    photos = dict(db.session.execute(select(both.c.room_id, func.count(both.c.photo_id)).group_by(both.c.room_id)).all())
    if progress is not None:
        closed = {s.room.id for s in progress if s.state.value == "not_accessible"}
        rooms = [(s.room.id, s.room.name, s.room.tier) for s in progress if s.room.id in answers]
    else:
        closed = set(db.session.scalars(select(RoomVisit.room_id).where(
            RoomVisit.inspection_id == inspection.id, RoomVisit.not_accessible.is_(True))))
        rooms = db.session.execute(select(Room.id, Room.name, Room.tier).where(Room.id.in_(list(answers)))
                                   .order_by(Room.position, Room.id)).all()
    return [RoomFacts(room_id, name, tier, [v for v, _ in answers[room_id]], [t for _, t in answers[room_id]],
                      photos.get(room_id, 0), room_id in closed) for room_id, name, tier in rooms]


def flags_for(inspection: Inspection, progress=None) -> list[Flag]:
    """The inspection's "needs a second look" flags under the trust's thresholds.

    :param progress: ``walk.ward_progress(inspection)`` when the caller has it.
    """
    return assurance.second_look_flags(room_facts(inspection, progress), second_look_policy(inspection.ward))


def label_scans(inspection: Inspection) -> dict[int, datetime]:
    """``{room id: when}`` for rooms confirmed on site by a label scan during the inspection."""
    return dict(db.session.execute(select(RoomVisit.room_id, RoomVisit.label_scanned_at).where(
        RoomVisit.inspection_id == inspection.id, RoomVisit.label_scanned_at.is_not(None))).all())
