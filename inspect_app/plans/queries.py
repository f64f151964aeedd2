"""Reading ward floor plans for the plan pages and the ward briefing.

Queries return rows or objects (or None); the view decides what a missing one means (404).
"""
from __future__ import annotations

from sqlalchemy import Select, select

from inspect_app.extensions import db
from inspect_app.plans.models import WardPlan


def plan_rows() -> Select:
    """Any uploaded plan: the existence test the briefing registers with ``inspect_app.presence``."""
    return select(WardPlan.id)


def plan_by_uuid(uuid: str) -> WardPlan | None:
    """The plan upload with this public uuid (any ward, no scoping), or None."""
    return db.session.scalar(select(WardPlan).where(WardPlan.uuid == uuid))
