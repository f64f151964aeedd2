"""Ligature points ("findings") and their grade history.

A ligature point is one record for as long as it exists: a re-inspection that finds it still
present links to it (CarryForward) rather than copying it. Grades are never overwritten: each
re-grade adds a FindingGrade, and the finding caches the current one for querying.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.extensions import db

if TYPE_CHECKING:
    from inspect_app.auth.models import User
    from inspect_app.checklists.models import ChecklistItem
    from inspect_app.estates.models import Room, Ward
    from inspect_app.inspections.models import Inspection
    from inspect_app.photos.models import Photo


def reference(kind: str, finding_id: int) -> str:
    """How a point is named on every page, report and export: LP-00042 (a failed check: FC-00042)."""
    return f"{'FC' if kind == 'check' else 'LP'}-{finding_id:05d}"


class PointNaming:
    """What every record of a point is called by (``kind`` and ``id``): the full record and the room
    page's plain row (``inspections.walk.RoomPoint``)."""

    __slots__ = ()
    kind: str
    id: int

    @property
    def ref(self) -> str:
        return reference(self.kind, self.id)

    @property
    def is_check(self) -> bool:
        return self.kind == "check"


class Finding(PointNaming, db.Model):
    # The points present in an inspection, by room (the walk's tallies, the room page's points): the
    # state alone matched every present point of the trust and the planner ANDed both indexes.
    __table_args__ = (Index("ix_finding_seen", "last_inspection_id", "state", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Client-generated UUID when created on a device (offline sync); unique so a replay cannot duplicate.
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)  # first identified in
    last_inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)  # last seen in
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"), index=True)  # None: ad hoc
    # "ligature": a ligature point, graded on the 5x5 matrix. "check": a failed check item; it has
    # no grade, its band is the item's default priority, and it exists to carry the action.
    kind: Mapped[str] = mapped_column(String(10), default="ligature", index=True)
    category: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(Text, default="")
    existing_controls: Mapped[str] = mapped_column(Text, default="")
    mitigation: Mapped[str | None] = mapped_column(String(20))  # domain.risk.MITIGATIONS code
    recommended_action: Mapped[str] = mapped_column(Text, default="")
    low_level: Mapped[bool] = mapped_column(Boolean, default=False)
    # domain.grading.LoadBearing value; None: not answered (graded as load-bearing until it is)
    load_bearing: Mapped[str | None] = mapped_column(String(10))
    load_bearing_reason: Mapped[str | None] = mapped_column(Text)  # why it cannot bear a ligature
    # Current grade (a copy of the latest FindingGrade, for filtering and sorting).
    likelihood: Mapped[int | None] = mapped_column(Integer)
    consequence: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(20), index=True)
    # present | fixed | removed (recorded in error and withdrawn, kept for the audit trail)
    state: Mapped[str] = mapped_column(String(20), default="present", index=True)
    resolved_at: Mapped[datetime | None]
    # "Recorded in error": why, by whom and when the point was withdrawn (state "removed").
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Where the point is pinned on its ward's floor plan, as fractions (0-1) of the plan's width
    # and height; None: not pinned.
    pin_x: Mapped[float | None] = mapped_column(Float)
    pin_y: Mapped[float | None] = mapped_column(Float)
    # When each field was last edited on the device that edited it, for field-by-field merges.
    field_edited_at: Mapped[dict] = mapped_column(JSON, default=dict)

    ward: Mapped[Ward] = relationship()
    room: Mapped[Room] = relationship()
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    item: Mapped[ChecklistItem | None] = relationship()
    grades: Mapped[list[FindingGrade]] = relationship(back_populates="finding", order_by="FindingGrade.id")
    photos: Mapped[list[Photo]] = relationship(
        primaryjoin="and_(Photo.finding_id == Finding.id, Photo.removed_at.is_(None))",
        order_by="Photo.id", viewonly=True)
    # The inspection the point is now part of, named as its foreign key names it: the walk builds on
    # the points, so this package does not import it. Read-only: code moves a point by its id.
    last_inspection: Mapped[Inspection] = relationship(foreign_keys=[last_inspection_id], viewonly=True)



class FindingGrade(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    kind: Mapped[str] = mapped_column(String(20), default="initial")  # initial | regrade | residual
    likelihood: Mapped[int] = mapped_column(Integer)
    consequence: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    calculated_band: Mapped[str] = mapped_column(String(20))  # from the matrix alone
    band: Mapped[str] = mapped_column(String(20))  # after the tier and height rules
    tier: Mapped[str] = mapped_column(String(4))
    low_level: Mapped[bool] = mapped_column(Boolean, default=False)
    load_bearing: Mapped[str | None] = mapped_column(String(10))
    patient_group: Mapped[str | None] = mapped_column(String(40))  # the ward's, when graded
    observation: Mapped[str | None] = mapped_column(String(20))  # the room's, when graded
    consequence_reason: Mapped[str | None] = mapped_column(Text)  # why below Catastrophic
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    graded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    graded_at: Mapped[datetime] = mapped_column(default=utcnow)

    finding: Mapped[Finding] = relationship(back_populates="grades")
