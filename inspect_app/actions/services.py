"""Remediation use cases. This module starts with how actions come into being; the remediation
feature adds the lifecycle moves on top."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from inspect_app.actions.models import ESTATES_TEAM, Action, ActionEvent
from inspect_app.audit.services import record
from inspect_app.domain import risk
from inspect_app.domain.workflow import ActionStatus
from inspect_app.extensions import db
from inspect_app.findings.models import Finding


def action_for(finding: Finding) -> Action | None:
    return db.session.scalar(select(Action).where(Action.finding_id == finding.id))


def ensure_action(finding: Finding, *, by, now: datetime) -> Action | None:
    """Create the finding's remediation action if its grade and mitigation call for one.

    Target and interim deadlines come from the trust's band policy, counted from when the
    point was identified.
    """
    if finding.band is None or finding.state != "present":
        return None
    if not risk.needs_action(finding.band, finding.mitigation):
        return None
    existing = action_for(finding)
    if existing is not None:
        return existing
    from inspect_app.findings.services import policy_for

    due = risk.due_dates(finding.band, identified_at=finding.created_at, policy=policy_for(finding.ward))
    action = Action(finding_id=finding.id, ward_id=finding.ward_id, status=ActionStatus.OPEN.value,
                    band=finding.band, owner_team=ESTATES_TEAM, target_date=due.target, interim_by=due.interim_by,
                    created_at=now, created_by_id=getattr(by, "id", None), updated_at=now)
    db.session.add(action)
    db.session.flush()
    db.session.add(ActionEvent(action_id=action.id, kind="create", to_status=action.status,
                               by_id=getattr(by, "id", None), by_name=getattr(by, "name", None),
                               role=getattr(by, "role", None), at=now,
                               fields={"band": action.band, "target_date": action.target_date.isoformat()}))
    record("action.create", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
           inspection_id=finding.last_inspection_id,
           new={"finding": finding.ref, "band": action.band, "target_date": action.target_date,
                "interim_by": action.interim_by})
    _notify_new(action, now=now)
    return action


def _notify_new(action: Action, *, now: datetime) -> None:
    """Hook for notifications of new High and Extreme actions (the notifications module fills it)."""
    try:
        from inspect_app.notifications import services as notifications
    except ImportError:  # notifications not installed in this build
        return
    notifications.queue_new_action(action, now=now)


def on_finding_graded(finding: Finding, *, by, now: datetime) -> None:
    """An Extreme point becomes an action at once; a re-grade moves an existing action's band."""
    action = action_for(finding)
    if action is not None:
        if action.band != finding.band:
            old = action.band
            action.band = finding.band
            db.session.add(ActionEvent(action_id=action.id, kind="regrade", from_status=action.status,
                                       to_status=action.status, by_id=by.id, by_name=by.name, role=by.role,
                                       at=now, fields={"from_band": old, "to_band": finding.band,
                                                       "score": finding.score}))
        return
    if finding.band == risk.Band.EXTREME.value:
        ensure_action(finding, by=by, now=now)


def on_inspection_signed_off(inspection, *, by, now: datetime) -> list[Action]:
    """At sign-off every present, graded point that needs one gets its action."""
    findings = db.session.scalars(select(Finding).where(Finding.last_inspection_id == inspection.id,
                                                        Finding.state == "present")).all()
    created = []
    for finding in findings:
        action = ensure_action(finding, by=by, now=now)
        if action is not None:
            created.append(action)
    return created
