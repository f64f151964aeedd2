"""Remediation actions and their event history.

Status values and the allowed moves come from ``domain.workflow``; ``Action.transition`` (in
services) checks them. Every move, comment and acknowledgement is an ActionEvent.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from inspect_app.clock import utcnow
from inspect_app.domain.grading import interim_expired
from inspect_app.domain.risk import Band
from inspect_app.domain.workflow import OPEN_STATUSES, ActionStatus
from inspect_app.extensions import db

_OPEN_VALUES = frozenset(status.value for status in OPEN_STATUSES)  # a set lookup per row in lists

if TYPE_CHECKING:
    from inspect_app.auth.models import User
    from inspect_app.estates.models import Ward
    from inspect_app.findings.models import Finding

ESTATES_TEAM = "Estates team"
# The open statuses as SQL literals, in a fixed order: the partial index below and the list
# statements that should use it must spell the condition the same way (a planner proves a
# partial index usable by comparing the conditions, and SQLite only matches literal terms).
OPEN_SQL = "status IN (" + ", ".join(f"'{v}'" for v in sorted(_OPEN_VALUES)) + ")"
# (name, columns, condition) of the partial indexes the attention counts read (also in migration
# 0011); the ward is in each, so a manager's count is read from the index alone too
ATTENTION_INDEXES = (
    ("ix_action_interim_missing", ("interim_by", "ward_id"), f"{OPEN_SQL} AND interim_in_place_at IS NULL"),
    ("ix_action_interim_review", ("interim_review_date", "ward_id"), f"{OPEN_SQL} AND interim_in_place_at IS NOT NULL"),
    ("ix_action_open_created", ("created_at", "ward_id"), OPEN_SQL),
    ("ix_action_accepted_review", ("accepted_review_date", "ward_id"), "status = 'risk_accepted'"),
    ("ix_action_proposed", ("status", "ward_id"), "proposed_by_id IS NOT NULL"),
)


def severity_of(band: str | None) -> int:
    """Sort key of a band, most severe first (0 Extreme ... 3 Low; 9 for an unknown value)."""
    try:
        return 3 - Band(band).rank
    except ValueError:
        return 9


def _severity_default(context) -> int:
    return severity_of(context.get_current_parameters().get("band"))


class ActionFacts:
    """What an action's own columns say about it. Shared by :class:`Action` and the lighter
    :class:`ActionRow` of action lists; needs ``id``, ``status``, ``band``, ``target_date``, ``interim_by``,
    ``interim_in_place_at``, ``owner_team`` and ``owner_name``."""

    __slots__ = ()  # a slotted row built on it keeps no per-instance dict

    @property
    def ref(self) -> str:
        return f"ACT-{self.id:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN_VALUES

    @property
    def owner_label(self) -> str:
        return self.owner_name or self.owner_team or ESTATES_TEAM

    # For templates: calling an enum class from Jinja costs far more than from Python (a list
    # page does it twice per row).
    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label

    @property
    def band_level(self) -> Band:
        return Band(self.band)

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.target_date < today

    def interim_missing(self, now: datetime) -> bool:
        return (self.is_open and self.interim_by is not None and self.interim_in_place_at is None
                and self.interim_by < now)

    def interim_expired(self, today: date) -> bool:
        """An interim control is recorded but its review date has passed."""
        return (self.is_open and self.interim_in_place_at is not None
                and interim_expired(self.interim_review_date, today))

    def acceptance_review_due(self, today: date) -> bool:
        """An accepted risk whose review has fallen due comes back to the lists."""
        return (self.status == ActionStatus.RISK_ACCEPTED.value and self.accepted_review_date is not None
                and self.accepted_review_date <= today)


@dataclass(frozen=True, slots=True)
class ActionRow(ActionFacts):
    """One line of an action list: the action's columns a row shows, with its point's category and
    description, its ward and site names and its owner's name. Plain values, not a mapped object:
    a page of rows is read without loading five mapped objects per line."""

    id: int
    status: str
    band: str
    target_date: date
    interim_by: datetime | None
    interim_control: str | None
    interim_in_place_at: datetime | None
    ward_acknowledged_at: datetime | None
    interim_review_date: date | None
    accepted_review_date: date | None
    owner_team: str | None
    owner_name: str | None
    category: str
    description: str | None
    ward_name: str
    site_name: str


class Action(ActionFacts, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), unique=True)  # one action per point
    # active_history on the columns the maintained counts are keyed by (actions.tallies): a change
    # loads the value it replaces, so the counts can move the action out of its old bucket.
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True, active_history=True)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN.value, index=True, active_history=True)
    band: Mapped[str] = mapped_column(String(20), index=True, active_history=True)  # follows the finding's current grade
    # Copies that follow the band and the point's current grade (set with them), so the dashboard and
    # the lists read open actions alone: no join to the whole finding table, sorted by an index.
    severity: Mapped[int] = mapped_column(Integer, default=_severity_default)
    likelihood: Mapped[int | None] = mapped_column(Integer, active_history=True)
    consequence: Mapped[int | None] = mapped_column(Integer, active_history=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    owner_team: Mapped[str | None] = mapped_column(String(120), default=ESTATES_TEAM)
    target_date: Mapped[date] = mapped_column(index=True, active_history=True)
    interim_by: Mapped[datetime | None]  # deadline for an interim control (High and Extreme)
    # The interim control in place (the latest one recorded)
    interim_control: Mapped[str | None] = mapped_column(Text)
    interim_control_type: Mapped[str | None] = mapped_column(String(30))  # domain.grading.InterimKind
    interim_observation_level: Mapped[str | None] = mapped_column(String(30))  # for enhanced observation
    interim_control_by: Mapped[str | None] = mapped_column(String(120))
    interim_review_date: Mapped[date | None]
    interim_in_place_at: Mapped[datetime | None]
    work_reference: Mapped[str | None] = mapped_column(String(120))  # estates job / CAFM
    risk_register_ref: Mapped[str | None] = mapped_column(String(120))
    capital_ref: Mapped[str | None] = mapped_column(String(120))
    product_fitted: Mapped[str | None] = mapped_column(Text)
    remediated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    remediated_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    verified_at: Mapped[datetime | None]
    accepted_rationale: Mapped[str | None] = mapped_column(Text)
    accepted_review_date: Mapped[date | None]
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_consequence: Mapped[int | None] = mapped_column(Integer)
    # Two-person acceptance: a safety lead proposes, a risk approver (a different account) approves.
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    proposed_at: Mapped[datetime | None]
    proposed_rationale: Mapped[str | None] = mapped_column(Text)
    proposed_review_date: Mapped[date | None]
    proposed_residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    proposed_residual_consequence: Mapped[int | None] = mapped_column(Integer)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[datetime | None]
    ward_acknowledged_at: Mapped[datetime | None]
    ward_acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(index=True, active_history=True)  # closed counts are for a period
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, active_history=True)

    __table_args__ = (
        # Open actions in list order (most severe, then earliest due): a page is read from here
        # after its key, whatever the number of closed actions.
        Index("ix_action_open_order", "severity", "target_date", "id",
              postgresql_where=text(OPEN_SQL), sqlite_where=text(OPEN_SQL)),
        # The same for a ward manager's wards: a page of theirs reads their open actions alone.
        Index("ix_action_open_ward_order", "ward_id", "severity", "target_date", "id",
              postgresql_where=text(OPEN_SQL), sqlite_where=text(OPEN_SQL)),
        # The attention counts (actions.counts.attention): each reads only the actions it counts.
        *(Index(name, *columns, postgresql_where=text(where), sqlite_where=text(where))
          for name, columns, where in ATTENTION_INDEXES),
    )

    finding: Mapped[Finding] = relationship()
    ward: Mapped[Ward] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    events: Mapped[list[ActionEvent]] = relationship(back_populates="action", order_by="ActionEvent.id")

    @property
    def owner_name(self) -> str | None:
        return self.owner.name if self.owner else None

    @validates("band")
    def _keep_severity(self, key, band):
        self.severity = severity_of(band)
        return band


class ActionEvent(db.Model):
    """One step in an action's history: a transition, a comment, an acknowledgement or a re-grade."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="transition")  # transition|comment|acknowledge|regrade|create
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    by_name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)

    action: Mapped[Action] = relationship(back_populates="events")


class ClosedTally(db.Model):
    """How many actions finished (closed, or cancelled as recorded in error) per ward, month of
    finishing, status, band and grade cell: the dashboard's closed counts for a period read these
    few rows instead of every finished action. Kept by ``actions.tallies`` on every flush that
    adds or changes an action; a test checks it against a full recount. A grade of 0 stands for
    none recorded (key columns cannot be NULL)."""

    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True, index=True)  # first day of the month, UTC
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    band: Mapped[str] = mapped_column(String(20), primary_key=True)
    likelihood: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    consequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)


class TallyVersion(db.Model):
    """A marker the maintained counts move with: every flush that changes a ward's counts adds a
    random amount to that ward's row (``scope`` = ward id; 0 for a full rebuild), in the same
    transaction. So the sum of ``n`` names one state of the counts: it differs after every
    committed change, and ``actions.tallies.cached`` keys what it keeps by it (and by the date),
    never serving counts older than the request's own read of the marker."""

    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class LiveTally(db.Model):
    """How many actions are not finished (open work and accepted risks) per ward, status, band and
    grade cell: the dashboard's counts and heat map, without reading action rows. Kept by
    ``actions.tallies`` like :class:`ClosedTally`."""

    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    band: Mapped[str] = mapped_column(String(20), primary_key=True)
    likelihood: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    consequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)


class DueTally(db.Model):
    """How many open actions (open statuses only) fall due on each target date, per ward, status,
    band and grade cell: the dashboard's overdue figures are the rows due before today (read through
    the target-date index), so lateness needs no action rows either. Kept by ``actions.tallies``."""

    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    band: Mapped[str] = mapped_column(String(20), primary_key=True)
    likelihood: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    consequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    target_date: Mapped[date] = mapped_column(primary_key=True, index=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
