"""A ligature incident, linked to the room and (when known) the point where it happened.

An incident in a room with no known point is a "find the point" task for the next inspection
of that room: open while ``finding_id`` and ``point_resolved_at`` are both empty (derived, no
separate task table).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.domain.incidents import IncidentType, Outcome
from inspect_app.extensions import db

if TYPE_CHECKING:
    from inspect_app.auth.models import User
    from inspect_app.estates.models import Room, Ward
    from inspect_app.findings.models import Finding


class Incident(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # The incident system's reference (Datix, LFPSE); unique, so re-importing cannot duplicate.
    reference: Mapped[str | None] = mapped_column(String(60), unique=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    incident_type: Mapped[str] = mapped_column(String(30))  # domain.incidents.IncidentType value
    outcome: Mapped[str] = mapped_column(String(20))  # domain.incidents.Outcome value
    fixture_category: Mapped[str | None] = mapped_column(String(80))  # what was used, when no point is known
    summary: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default="manual")  # manual | import
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The "find the point" task: closed by linking a point, or by saying why none was found.
    point_resolved_at: Mapped[datetime | None]
    point_resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    point_note: Mapped[str | None] = mapped_column(Text)

    ward: Mapped[Ward] = relationship()
    room: Mapped[Room] = relationship()
    finding: Mapped[Finding | None] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])

    @property
    def ref(self) -> str:
        return f"INC-{self.id:05d}"

    @property
    def type_label(self) -> str:
        return IncidentType(self.incident_type).label

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label

    @property
    def category(self) -> str:
        """The fixture category the incident counts under on the dashboard."""
        if self.finding is not None:
            return self.finding.category
        return self.fixture_category or "Not known"

    @property
    def needs_point(self) -> bool:
        """An open "find the point" task."""
        return (self.finding_id is None and self.point_resolved_at is None
                and IncidentType(self.incident_type).uses_anchor)
