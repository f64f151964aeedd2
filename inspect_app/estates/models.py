"""The estate: trust, sites, wards, the kinds of room (area types), the rooms walked in an inspection
and the products fitted in them that an alert asks to check (``RoomFixture``)."""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Column, Date, Float, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.domain.alerts import FixtureKind
from inspect_app.extensions import db

if TYPE_CHECKING:
    from inspect_app.alerts.models import Alert, FixtureCheck
    from inspect_app.auth.models import User


class AreaType(db.Model):
    """A kind of room (bedroom, en-suite, lounge...). Stable across template versions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    default_tier: Mapped[str] = mapped_column(String(4))
    description: Mapped[str | None] = mapped_column(Text)
    # The public sources the area's items were written from (the library's metadata, per area).
    source: Mapped[str | None] = mapped_column(Text)


class PatientGroup(str, Enum):
    ACUTE = "acute"
    PICU = "picu"
    OLDER_ADULT = "older_adult"
    LEARNING_DISABILITY = "learning_disability"
    CAMHS = "camhs"
    REHABILITATION = "rehabilitation"
    FORENSIC = "forensic"
    EATING_DISORDER = "eating_disorder"
    PERINATAL = "perinatal"

    @property
    def label(self) -> str:
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    PatientGroup.ACUTE: "Acute adult",
    PatientGroup.PICU: "Psychiatric intensive care (PICU)",
    PatientGroup.OLDER_ADULT: "Older adult",
    PatientGroup.LEARNING_DISABILITY: "Learning disability",
    PatientGroup.CAMHS: "Children and young people (CAMHS)",
    PatientGroup.REHABILITATION: "Rehabilitation",
    PatientGroup.FORENSIC: "Forensic / secure",
    PatientGroup.EATING_DISORDER: "Eating disorder",
    PatientGroup.PERINATAL: "Perinatal (mother and baby)",
}

ward_managers = Table(
    "ward_manager",
    db.metadata,
    Column("ward_id", ForeignKey("ward.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)

# The wards a "ward staff" account works on (read-only: their hazards and the ligature briefing).
ward_staff = Table(
    "ward_staff",
    db.metadata,
    Column("ward_id", ForeignKey("ward.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Trust(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # Per-trust band policy (domain.risk.BandPolicy.to_dict()); None means the NPSA default.
    band_policy: Mapped[dict | None] = mapped_column(JSON)
    # "Needs a second look" thresholds (domain.assurance.SecondLookPolicy.to_dict()); None = defaults.
    assurance_policy: Mapped[dict | None] = mapped_column(JSON)
    # Per-trust clinical grading rules (domain.grading.GradingPolicy.to_dict()); None: the defaults.
    grading_policy: Mapped[dict | None] = mapped_column(JSON)
    # Whether ward staff accounts may see photos of ligature points (off unless the trust enables it).
    staff_photos: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sites: Mapped[list[Site]] = relationship(back_populates="trust", order_by="Site.name")


class Site(db.Model):
    __table_args__ = (UniqueConstraint("trust_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trust.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)

    trust: Mapped[Trust] = relationship(back_populates="sites")
    wards: Mapped[list[Ward]] = relationship(back_populates="site", order_by="Ward.name")


class Ward(db.Model):
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    patient_group: Mapped[str] = mapped_column(String(40))
    bed_count: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    site: Mapped[Site] = relationship(back_populates="wards")
    rooms: Mapped[list[Room]] = relationship(back_populates="ward", order_by="(Room.position, Room.id)")
    managers: Mapped[list[User]] = relationship(
        secondary=ward_managers, back_populates="managed_wards", order_by="User.name"
    )
    staff: Mapped[list[User]] = relationship(secondary=ward_staff, back_populates="staff_wards", order_by="User.name")

    @property
    def patient_group_label(self) -> str:
        try:
            return PatientGroup(self.patient_group).label
        except ValueError:
            return self.patient_group

    @property
    def active_rooms(self) -> list[Room]:
        return [room for room in self.rooms if room.active]


class Room(db.Model):
    __table_args__ = (UniqueConstraint("ward_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    area_type_id: Mapped[int] = mapped_column(ForeignKey("area_type.id"), index=True)
    tier: Mapped[str] = mapped_column(String(4))  # domain.risk.Tier value
    observation: Mapped[str | None] = mapped_column(String(20))  # domain.grading.Observation value
    floor: Mapped[str | None] = mapped_column(String(40))
    # Where the room is on the ward's floor plan, as fractions (0-1) of the plan's width and height:
    # a rectangle (x, y = top left) or, without a width and height, a point. None: not placed.
    plan_x: Mapped[float | None] = mapped_column(Float)
    plan_y: Mapped[float | None] = mapped_column(Float)
    plan_w: Mapped[float | None] = mapped_column(Float)
    plan_h: Mapped[float | None] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)  # walk order within the ward
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    ward: Mapped[Ward] = relationship(back_populates="rooms")
    area_type: Mapped[AreaType] = relationship()


class RoomFixture(db.Model):
    """An installed product that must be checked every ``interval_days`` (e.g. a collapsible rail)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # domain.alerts.FixtureKind value
    label: Mapped[str] = mapped_column(String(120))
    interval_days: Mapped[int] = mapped_column(Integer)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"))  # the alert that asks for it
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The room's ligature point for this fixture: a failed check raises its action at Extreme.
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))

    room: Mapped[Room] = relationship()
    alert: Mapped[Alert | None] = relationship()
    checks: Mapped[list[FixtureCheck]] = relationship(back_populates="fixture",
                                                      order_by="(FixtureCheck.checked_at, FixtureCheck.id)")

    @property
    def kind_label(self) -> str:
        return FixtureKind(self.kind).label
