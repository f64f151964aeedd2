"""The alerts register: alerts, the checklist items citing them, and recurring product checks
(the fixtures checked are part of the estate: ``estates.models.RoomFixture``).

Citations point at a ChecklistItem row, which belongs to one template version. They are
carried to a new version by the library's export/import round trip (``new_draft_from``), so
every version says for itself which alerts it implements (docs: decisions-alerts.md).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.domain.alerts import CheckResult, ResponseStatus, alert_deadlines
from inspect_app.extensions import db

if TYPE_CHECKING:
    from inspect_app.auth.models import User
    from inspect_app.checklists.models import ChecklistItem
    from inspect_app.estates.models import RoomFixture


class Alert(db.Model):
    """A national alert as the trust received it, with the trust's own response."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(60), unique=True)  # None when unverified
    title: Mapped[str] = mapped_column(String(300), unique=True)
    issuing_body: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date)
    action_underway_by: Mapped[date | None] = mapped_column(Date)
    action_complete_by: Mapped[date | None] = mapped_column(Date)
    restricted: Mapped[bool] = mapped_column(Boolean, default=True)
    required_actions: Mapped[str | None] = mapped_column(Text)  # in the trust's own words
    # Scope: PatientGroup values and AreaType codes; an empty list means "all".
    patient_groups: Mapped[list] = mapped_column(JSON, default=list)
    area_type_codes: Mapped[list] = mapped_column(JSON, default=list)
    response_status: Mapped[str] = mapped_column(String(20), default=ResponseStatus.NOT_STARTED.value)
    response_note: Mapped[str | None] = mapped_column(Text)
    response_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    response_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    response_by: Mapped[User | None] = relationship()
    citations: Mapped[list[ItemAlertCitation]] = relationship(back_populates="alert")

    @property
    def label(self) -> str:
        """The reference when verified, otherwise the title (never an invented number)."""
        return self.reference or self.title

    @property
    def response_label(self) -> str:
        return ResponseStatus(self.response_status).label

    def deadlines(self, today: date):
        return alert_deadlines(self.action_underway_by, self.action_complete_by, self.response_status,
                               today=today)


class ItemAlertCitation(db.Model):
    """A checklist item implements (part of) an alert, optionally naming the alert's section."""

    __table_args__ = (UniqueConstraint("item_id", "alert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id", ondelete="CASCADE"), index=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    section: Mapped[str | None] = mapped_column(String(120))

    item: Mapped[ChecklistItem] = relationship()
    alert: Mapped[Alert] = relationship(back_populates="citations")


class FixtureCheck(db.Model):
    """One periodic check of a fixture: pass, or fail with what was wrong."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fixture_id: Mapped[int] = mapped_column(ForeignKey("room_fixture.id"), index=True)
    result: Mapped[str] = mapped_column(String(10))  # domain.alerts.CheckResult value
    notes: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime]
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))  # when done in a walk-through

    fixture: Mapped[RoomFixture] = relationship(back_populates="checks")
    checked_by: Mapped[User] = relationship()

    @property
    def result_label(self) -> str:
        return CheckResult(self.result).label
