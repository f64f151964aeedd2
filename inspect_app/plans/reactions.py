"""How plans follow other features (``inspect_app.events``): a point recorded with a position tapped
on the ward plan is pinned there (or refused whole), and ``photos check`` learns which files in the
photo store are plans."""
from __future__ import annotations

from sqlalchemy import select

from inspect_app import events
from inspect_app.extensions import db
from inspect_app.findings.services import FindingError
from inspect_app.plans.models import WardPlan
from inspect_app.plans.services import PlanError, pin_point


@events.finding_pin_given.connect
def pin_the_new_point(finding, *, x, y, by, now, **_) -> None:
    """The pin given with a new point, in percent of the plan (as the form holds it).

    :raises FindingError: not numbers, off the plan or outside the room: the point is not saved either.
    """
    try:
        fx, fy = float(str(x).strip()) / 100.0, float(str(y).strip()) / 100.0
    except ValueError:
        raise FindingError("The pin's position must be numbers (percent of the plan).", "pin_x") from None
    try:
        pin_point(finding, x=fx, y=fy, by=by, now=now)
    except PlanError as exc:
        raise FindingError(str(exc), "pin_x") from None


@events.stored_files_listing.connect
def plan_files(store, **_) -> list[tuple[str, str]]:
    return [(plan.uuid, key) for plan in db.session.scalars(select(WardPlan).order_by(WardPlan.id))
            for key in (plan.key_large, plan.key_thumb)]
