"""Reading trust-wide checks and their tasks: the check pages, the ward pack and the inspection overview.

Queries return rows or objects (or None); the view decides what a missing one means (404).
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, selectinload

from inspect_app.alerts.models import FixtureCheck
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.incidents.models import Incident
from inspect_app.learning.models import TrustCheck, TrustCheckTask


def open_check_rows() -> Select:
    """Any check still open: the existence test the check views register with ``inspect_app.presence``."""
    return select(TrustCheck.id).where(TrustCheck.closed_at.is_(None))


def open_checks() -> list[TrustCheck]:
    """Checks still open, soonest deadline first, each with its tasks and their wards loaded."""
    return list(db.session.scalars(select(TrustCheck).where(TrustCheck.closed_at.is_(None))
                                   .options(selectinload(TrustCheck.tasks).joinedload(TrustCheckTask.ward))
                                   .order_by(TrustCheck.due_on, TrustCheck.id)))


def all_checks() -> Sequence[TrustCheck]:
    """Every check: open ones first, then by deadline (the checks list)."""
    return db.session.scalars(select(TrustCheck).order_by(TrustCheck.closed_at.is_not(None),
                                                          TrustCheck.due_on, TrustCheck.id)).all()


def check(check_id: int) -> TrustCheck | None:
    """The check with this id, or None."""
    return db.session.get(TrustCheck, check_id)


def incident(incident_id: int) -> Incident | None:
    """The incident a check is launched from (any ward), or None."""
    return db.session.get(Incident, incident_id)


def fixture_check(fixture_check_id: int) -> FixtureCheck | None:
    """The product check a trust-wide check is launched from, or None."""
    return db.session.get(FixtureCheck, fixture_check_id)


def present_points(ward_id: int) -> Sequence[Finding]:
    """The ward's ligature points still present, oldest first (the points a task's answer may name)."""
    return db.session.scalars(select(Finding).where(
        Finding.ward_id == ward_id, Finding.kind == "ligature", Finding.state == "present")
        .order_by(Finding.id)).all()


def open_tasks(ward_id: int) -> list[TrustCheckTask]:
    """The ward's unanswered tasks of checks still open, soonest deadline first."""
    return list(db.session.scalars(select(TrustCheckTask).join(TrustCheck).where(
        TrustCheckTask.ward_id == ward_id, TrustCheckTask.answered_at.is_(None), TrustCheck.closed_at.is_(None))
        .options(contains_eager(TrustCheckTask.check)).order_by(TrustCheckTask.due_on, TrustCheckTask.id)))


def open_tasks_by_ward() -> dict[int, list[TrustCheckTask]]:
    """:func:`open_tasks` of every ward, in one statement."""
    out: dict[int, list[TrustCheckTask]] = {}
    for task in db.session.scalars(select(TrustCheckTask).join(TrustCheck).where(
            TrustCheckTask.answered_at.is_(None), TrustCheck.closed_at.is_(None))
            .options(contains_eager(TrustCheckTask.check)).order_by(TrustCheckTask.due_on, TrustCheckTask.id)):
        out.setdefault(task.ward_id, []).append(task)
    return out


def open_task_ids(ward_id: int) -> list[int]:
    return [task.id for task in open_tasks(ward_id)]
