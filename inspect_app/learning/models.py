"""A trust-wide check: what to look for, and one task per ward with the matching rooms and points.

The check is closed when every ward's task is answered (with photos or points); ``closed_at``
records when that happened.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.extensions import db

if TYPE_CHECKING:
    from inspect_app.auth.models import User
    from inspect_app.estates.models import Ward


class TrustCheck(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # What matches (all given criteria must hold): a fixture category, words naming the product,
    # a product registered before a date.
    category: Mapped[str | None] = mapped_column(String(80))
    product: Mapped[str | None] = mapped_column(String(120))
    installed_before: Mapped[date | None] = mapped_column(Date)
    instructions: Mapped[str] = mapped_column(Text, default="")
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    fixture_check_id: Mapped[int | None] = mapped_column(ForeignKey("fixture_check.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    launched_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    launched_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    launched_by: Mapped[User] = relationship()
    tasks: Mapped[list[TrustCheckTask]] = relationship(back_populates="check", order_by="TrustCheckTask.id")

    @property
    def ref(self) -> str:
        return f"TWC-{self.id:04d}"

    @property
    def answered(self) -> int:
        return sum(task.is_answered for task in self.tasks)


class TrustCheckTask(db.Model):
    __table_args__ = (UniqueConstraint("check_id", "ward_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("trust_check.id"), index=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    # What matched at launch: [{"room_id", "room", "finding_id"?, "fixture_id"?, "label"}].
    matches: Mapped[list] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answer_note: Mapped[str | None] = mapped_column(Text)
    finding_ids: Mapped[list] = mapped_column(JSON, default=list)  # points checked or recorded
    photo_uuids: Mapped[list] = mapped_column(JSON, default=list)

    check: Mapped[TrustCheck] = relationship(back_populates="tasks")
    ward: Mapped[Ward] = relationship()
    answered_by: Mapped[User | None] = relationship()

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
