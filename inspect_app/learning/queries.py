"""Reading trust-wide check tasks for a ward (the ward pack and the inspection overview)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from inspect_app.extensions import db
from inspect_app.learning.models import TrustCheck, TrustCheckTask


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
