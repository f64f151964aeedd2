"""Remediation use cases: how actions come into being (on grading and at sign-off), then their
lifecycle (ward acknowledgement, comments, re-grading, ownership); workflow moves and accepting a
risk are in ``transitions.py``. Services flush and audit; views commit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from inspect_app import events
from inspect_app.actions.models import ESTATES_TEAM, Action, ActionEvent
from inspect_app.audit.services import record
from inspect_app.domain import grading, risk
from inspect_app.domain.text import TextError, clean_text
from inspect_app.domain.workflow import TERMINAL, ActionStatus
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.findings.services import FindingError, apply_grade, policy_for


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
    due = risk.due_dates(finding.band, identified_at=finding.created_at, policy=policy_for(finding.ward))
    action = Action(finding_id=finding.id, ward_id=finding.ward_id, status=ActionStatus.OPEN.value,
                    band=finding.band, likelihood=finding.likelihood, consequence=finding.consequence,
                    owner_team=ESTATES_TEAM, target_date=due.target, interim_by=due.interim_by,
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
    events.action_created.send(action, now=now)
    return action


TERMINAL_VALUES = frozenset(status.value for status in TERMINAL)


def on_finding_graded(finding: Finding, *, by, now: datetime, old_band: str | None = None) -> None:
    """An Extreme point becomes an action at once; a re-grade moves an existing action's band.

    A band rise brings the target date and interim deadline forward to the new band's (counted
    from now, never later than before), and tells the owner, the ward's managers and the safety
    leads.
    """
    action = action_for(finding)
    if action is not None:
        # A closed action keeps the band (and grade) it was closed at: the record of what was remediated.
        if action.status in TERMINAL_VALUES:
            return
        # the action's copy of the grade (the dashboard's heat map reads it, not the point)
        action.likelihood, action.consequence = finding.likelihood, finding.consequence
        if action.band != finding.band:
            old = action.band
            action.band = finding.band
            fields = {"from_band": old, "to_band": finding.band, "score": finding.score}
            if risk.Band(finding.band) > risk.Band(old):
                fields |= _bring_forward(action, now=now)
            db.session.add(ActionEvent(action_id=action.id, kind="regrade", from_status=action.status,
                                       to_status=action.status, by_id=getattr(by, "id", None),
                                       by_name=getattr(by, "name", None), role=getattr(by, "role", None),
                                       at=now, fields=fields))
            if risk.Band(finding.band) > risk.Band(old):
                record("action.band_raised", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
                       old={"band": old, "target_date": fields["old_target_date"],
                            "interim_by": fields.get("old_interim_by")},
                       new={"band": action.band, "target_date": action.target_date, "interim_by": action.interim_by})
                events.action_band_raised.send(action, old_band=old, now=now, cause=None)
        return
    if finding.band == risk.Band.EXTREME.value:
        ensure_action(finding, by=by, now=now)


def _bring_forward(action: Action, *, now: datetime) -> dict:
    """Deadlines from the new band (domain rule: never lengthened); returns the event's fields."""
    old_target, old_interim = action.target_date, action.interim_by
    due = grading.rebased_deadlines(action.band, target=old_target, interim_by=old_interim, now=now,
                                    bands=policy_for(action.ward))
    action.target_date, action.interim_by, action.updated_at = due.target, due.interim_by, now
    return plain_fields({"old_target_date": old_target, "target_date": due.target,
                          "old_interim_by": old_interim, "interim_by": due.interim_by})


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


# --- Lifecycle: acknowledgement, comments, re-grading, ownership (moves: transitions.py) ------

class ActionError(ValueError):
    """A refused action change (bad input rather than a workflow rule), with a message for the user."""


TEXT_MAX = 2000


def text_field(value, what: str, limit: int = TEXT_MAX) -> str | None:
    try:
        return clean_text(value, label=f"The {what}", limit=limit, coerce=True) or None
    except TextError as exc:
        raise ActionError(str(exc)) from None


def add_event(action: Action, kind: str, *, by, now: datetime, comment: str | None = None,
              fields: dict | None = None, from_status: str | None = None,
              to_status: str | None = None) -> ActionEvent:
    event = ActionEvent(action_id=action.id, kind=kind, from_status=from_status or action.status,
                        to_status=to_status or action.status, by_id=getattr(by, "id", None),
                        by_name=getattr(by, "name", None), role=getattr(by, "role", None), at=now,
                        comment=comment, fields=fields or {})
    db.session.add(event)
    db.session.flush()
    return event


def plain_fields(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in values.items()
            if v not in (None, "")}


def cancel_for_withdrawn(finding: Finding, *, reason: str, by, now: datetime) -> Action | None:
    """The point was recorded in error: its action (if any, and not already closed) is cancelled,
    never deleted, with the reason on its timeline and in the audit trail."""
    action = action_for(finding)
    if action is None or action.status in (ActionStatus.CLOSED.value, ActionStatus.CANCELLED.value):
        return action
    before = action.status
    add_event(action, "transition", by=by, now=now, comment=reason, from_status=before,
              to_status=ActionStatus.CANCELLED.value, fields={"withdrawn": finding.ref})
    action.status, action.updated_at, action.closed_at = ActionStatus.CANCELLED.value, now, now
    record("action.cancel", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
           old={"status": before}, new={"status": action.status, "finding": finding.ref}, comment=reason)
    return action


def acknowledge_interim(actions: list[Action], *, by, now: datetime, comment: str | None = None) -> int:
    """A ward manager confirms on the ward that the recorded interim controls are in place.

    :param actions: open actions of wards the user manages; those without a recorded interim
        control are skipped (nothing to confirm).
    :returns: how many actions were acknowledged.
    :raises ActionError: when none of them has an interim control to acknowledge.
    """
    comment = text_field(comment, "comment")
    done = 0
    for action in actions:
        if not action.is_open or action.interim_in_place_at is None:
            continue
        action.ward_acknowledged_at, action.ward_acknowledged_by_id, action.updated_at = now, by.id, now
        add_event(action, "acknowledge", by=by, now=now, comment=comment,
                  fields={"control": action.interim_control})
        record("action.acknowledge", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
               new={"control": action.interim_control}, comment=comment)
        done += 1
    if not done:
        raise ActionError("There is no interim control recorded to acknowledge yet.")
    return done


def add_comment(action: Action, text: str, *, by, now: datetime) -> ActionEvent:
    """Add a comment to the action's history."""
    text = text_field(text, "comment")
    if not text:
        raise ActionError("Write a comment first.")
    event = add_event(action, "comment", by=by, now=now, comment=text)
    record("action.comment", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id, comment=text)
    return event


def regrade(action: Action, likelihood, consequence, *, by, now: datetime, comment: str | None = None,
            consequence_reason: str | None = None):
    """Re-grade the action's ligature point: a new grade record, never an overwrite.

    The action's band follows (``on_finding_graded``); the event records the new score.
    """
    comment = text_field(comment, "comment")
    if not comment:
        raise ActionError("Say why the point is being re-graded.")
    if not action.is_open:
        raise ActionError("Only an open action can be re-graded; re-open it first.")
    try:
        grade = apply_grade(action.finding, likelihood, consequence, kind="regrade", by=by, now=now,
                            comment=comment, consequence_reason=consequence_reason)
    except FindingError as exc:
        raise ActionError(str(exc)) from None
    add_event(action, "regrade", by=by, now=now, comment=comment,
              fields={"likelihood": grade.likelihood, "consequence": grade.consequence, "score": grade.score,
                   "band": grade.band})
    record("action.regrade", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
           new={"score": grade.score, "band": grade.band}, comment=comment)
    return grade


def assign_owner(action: Action, *, owner=None, team: str | None = None, by, now: datetime) -> None:
    """Give the action to a named person, or to a team (the estates team by default)."""
    team = text_field(team, "team name", 120)
    old = {"owner": action.owner_label}
    action.owner_id = owner.id if owner is not None else None
    action.owner_team = None if owner is not None else (team or ESTATES_TEAM)
    action.updated_at = now
    db.session.flush()
    db.session.refresh(action, ["owner"])
    new = {"owner": action.owner_label}
    if new == old:
        return
    add_event(action, "owner", by=by, now=now, fields=new)
    record("action.owner", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id, old=old, new=new)
