"""Inspections of a ward: the pinned checklist, each room's visit, answers, carry-forward outcomes."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.extensions import db

if TYPE_CHECKING:
    from inspect_app.auth.models import User
    from inspect_app.checklists.models import ChecklistItem, ChecklistTemplate
    from inspect_app.estates.models import Room, Ward


class InspectionStatus:
    IN_PROGRESS = "in_progress"
    SIGNED_OFF = "signed_off"
    SUPERSEDED = "superseded"  # a correction made a newer version; this one is kept as it was


class Inspection(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"), index=True)  # pinned version
    inspection_type: Mapped[str] = mapped_column(String(20))  # domain.checklist.InspectionType
    # The ward's patient group when the inspection started: it chose the library's variant items.
    patient_group: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=InspectionStatus.IN_PROGRESS, index=True)
    # Assessment team by name: [{"name": "...", "role": "Estates officer"}, ...]
    team: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    lead_inspector_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # The ward's previous signed-off inspection, whose open points are carried forward.
    previous_inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    signed_off_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signature_name: Mapped[str | None] = mapped_column(String(120))
    attestation: Mapped[str | None] = mapped_column(Text)
    # Corrections: version 2 points at version 1 with the reason; version 1 is kept unchanged.
    version: Mapped[int] = mapped_column(Integer, default=1)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    ward: Mapped[Ward] = relationship()
    template: Mapped[ChecklistTemplate] = relationship()
    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id])
    lead_inspector: Mapped[User] = relationship(foreign_keys=[lead_inspector_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    previous_inspection: Mapped[Inspection | None] = relationship(
        foreign_keys=[previous_inspection_id], remote_side="Inspection.id")
    corrects: Mapped[Inspection | None] = relationship(foreign_keys=[corrects_id], remote_side="Inspection.id")
    visits: Mapped[list[RoomVisit]] = relationship(back_populates="inspection")
    signatures: Mapped[list[Signature]] = relationship(back_populates="inspection",
                                                       order_by="(Signature.signed_at, Signature.id)")

    @property
    def is_read_only(self) -> bool:
        """Signed off, superseded, or awaiting its clinical sign-off (the lead has signed what is there)."""
        return self.status != InspectionStatus.IN_PROGRESS or self.lead_signature is not None

    @property
    def read_only_reason(self) -> str:
        if self.status == InspectionStatus.IN_PROGRESS and self.lead_signature is not None:
            return ("The lead inspector has signed this inspection; it is read-only while it awaits "
                    "its clinical sign-off.")
        return "This inspection is signed off and read-only. Start a correction to change it."

    @property
    def awaiting_clinical(self) -> bool:
        return self.status == InspectionStatus.IN_PROGRESS and self.lead_signature is not None

    @property
    def lead_signature(self) -> Signature | None:
        return next((s for s in self.signatures if s.capacity == "lead"), None)

    @property
    def ref(self) -> str:
        return f"INS-{self.id:05d}" + (f"-v{self.version}" if self.version > 1 else "")


class Signature(db.Model):
    """One signatory of an inspection: always a signed-in account that re-authenticated to sign.

    The name and role are copied from the account at the moment of signing (what the report
    prints); ``capacity`` says what they signed as (domain.assurance.Capacity).
    """

    __table_args__ = (UniqueConstraint("inspection_id", "capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    capacity: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))  # the account's role when signing
    reauth_method: Mapped[str] = mapped_column(String(20))  # "password" (or an SSO method later)
    # The "needs a second look" flags shown when signing, each acknowledged: [{"room": .., "flag": ..}]
    acknowledged_flags: Mapped[list] = mapped_column(JSON, default=list)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()

    @property
    def role_label(self) -> str:
        try:
            return Role(self.role).label
        except ValueError:
            return self.role


class RoomVisit(db.Model):
    """The state of one room within one inspection (created when the room is first opened)."""

    __table_args__ = (UniqueConstraint("inspection_id", "room_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    not_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    not_accessible_reason: Mapped[str | None] = mapped_column(Text)
    first_opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # First time the room was opened through its QR label while this inspection was in progress.
    label_scanned_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="visits")
    room: Mapped[Room] = relationship()


class Answer(db.Model):
    """One checklist item answered for one room in one inspection; saved the moment it is tapped."""

    __table_args__ = (UniqueConstraint("inspection_id", "room_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"), index=True)
    value: Mapped[str] = mapped_column(String(30))  # domain.checklist.Answer value
    comment: Mapped[str | None] = mapped_column(Text)  # a check item's fail says here what failed
    na_reason: Mapped[str | None] = mapped_column(String(30))  # domain.checklist.NaReason, with N/A
    na_detail: Mapped[str | None] = mapped_column(Text)  # the words for "other" (or more detail)
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Given by "mark remaining items compliant" (one bulk answer); cleared when changed one by one.
    bulk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    item: Mapped[ChecklistItem] = relationship()


class CarryForward(db.Model):
    """What became of a still-open ligature point from the ward's previous inspection."""

    __table_args__ = (UniqueConstraint("inspection_id", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # domain.checklist carry-forward outcome value
    comment: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
