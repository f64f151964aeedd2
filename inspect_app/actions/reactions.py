"""How remediation actions follow the points and inspections they come from (``inspect_app.events``).

A graded point may need its action now or move its action's band; a withdrawn point's action is
cancelled; sign-off gives every point that needs one its action; a failed product check grades
its point Extreme and so opens (or keeps open) its action. A closed action keeps the grade it
was closed at, so grading its point is refused until the action is re-opened.
"""
from __future__ import annotations

from sqlalchemy import select

from inspect_app import events
from inspect_app.actions import services
from inspect_app.actions.models import Action
from inspect_app.actions.product_checks import raise_for_failed_check
from inspect_app.domain.workflow import ActionStatus
from inspect_app.extensions import db
from inspect_app.findings.services import FindingReadOnly


@events.finding_grading.connect
def refuse_grading_with_a_closed_action(finding, **_) -> None:
    action = services.action_for(finding)
    if action is not None and action.status == ActionStatus.CLOSED.value:
        raise FindingReadOnly(f"{finding.ref}'s remediation action is closed; re-open it to re-grade the point.")


@events.finding_graded.connect
def follow_the_grade(finding, *, by, now, old_band=None, **_) -> None:
    services.on_finding_graded(finding, by=by, now=now, old_band=old_band)


@events.incident_at_point.connect
def action_for_incident(finding, *, by, now, **_) -> None:
    """A point where an incident happened is remediated now, whatever its band (not at sign-off)."""
    services.ensure_action(finding, by=by, now=now)


@events.finding_withdrawn.connect
def cancel_for_withdrawn(finding, *, reason, by, now, **_) -> None:
    services.cancel_for_withdrawn(finding, reason=reason, by=by, now=now)


@events.inspection_signed_off.connect
def actions_at_sign_off(inspection, *, by, now, **_) -> list:
    return services.on_inspection_signed_off(inspection, by=by, now=now)


@events.product_check_failed.connect
def failed_product_check(fixture, *, check, by, now, **_) -> None:
    raise_for_failed_check(fixture, check, by=by, now=now)  # alerts words a refusal as its own


@events.remediation_listing.connect
def remediation_of(finding_ids, *, today, **_) -> dict[int, tuple[str, str | None, bool]]:
    """Where each point's action stands, for a plan's key (the hot-spot map, the briefing)."""
    actions = db.session.scalars(select(Action).where(Action.finding_id.in_(list(finding_ids) or [0])))
    return {a.finding_id: (ActionStatus(a.status).label, a.interim_control, a.interim_expired(today)) for a in actions}
