"""Remediation use cases: how actions come into being (on grading and at sign-off), then their
lifecycle (workflow transitions with evidence photos, ward acknowledgement, comments, re-grading,
ownership). Services flush and audit; views commit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from inspect_app import events
from inspect_app.actions.models import ESTATES_TEAM, Action, ActionEvent
from inspect_app.audit.services import record
from inspect_app.domain import grading, risk
from inspect_app.domain.text import TextError, clean_text
from inspect_app.domain.workflow import TERMINAL, ActionStatus, Role, TransitionError, check
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.findings.services import FindingError, apply_grade, grading_policy_for, original_consequence, policy_for
from inspect_app.photos.services import store_photo


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
    return _plain_fields({"old_target_date": old_target, "target_date": due.target,
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


# --- Lifecycle: transitions, acknowledgement, comments, re-grading, ownership -----------------

class ActionError(ValueError):
    """A refused action change (bad input rather than a workflow rule), with a message for the user."""


TEXT_MAX = 2000
PHOTO_KIND = {ActionStatus.VERIFIED: "verification"}  # every other transition's photos are evidence


def _text(value, what: str, limit: int = TEXT_MAX) -> str | None:
    try:
        return clean_text(value, label=f"The {what}", limit=limit, coerce=True) or None
    except TextError as exc:
        raise ActionError(str(exc)) from None


def _review_date(value, *, now: datetime) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise ActionError("Enter the review date as a date, for example 2030-01-31.") from None
    if value < now.date():
        raise ActionError("The review date cannot be in the past.")
    return value


def _residual(value) -> tuple[int, int] | None:
    if value in (None, "", (), []):
        return None
    try:
        likelihood, consequence = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ActionError("Give the residual grade as a likelihood and a consequence, 1 to 5 each.") from None
    return likelihood, consequence


def _event(action: Action, kind: str, *, by, now: datetime, comment: str | None = None,
           fields: dict | None = None, from_status: str | None = None,
           to_status: str | None = None) -> ActionEvent:
    event = ActionEvent(action_id=action.id, kind=kind, from_status=from_status or action.status,
                        to_status=to_status or action.status, by_id=getattr(by, "id", None),
                        by_name=getattr(by, "name", None), role=getattr(by, "role", None), at=now,
                        comment=comment, fields=fields or {})
    db.session.add(event)
    db.session.flush()
    return event


def _plain_fields(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in values.items()
            if v not in (None, "")}


def cancel_for_withdrawn(finding: Finding, *, reason: str, by, now: datetime) -> Action | None:
    """The point was recorded in error: its action (if any, and not already closed) is cancelled,
    never deleted, with the reason on its timeline and in the audit trail."""
    action = action_for(finding)
    if action is None or action.status in (ActionStatus.CLOSED.value, ActionStatus.CANCELLED.value):
        return action
    before = action.status
    _event(action, "transition", by=by, now=now, comment=reason, from_status=before,
           to_status=ActionStatus.CANCELLED.value, fields={"withdrawn": finding.ref})
    action.status, action.updated_at, action.closed_at = ActionStatus.CANCELLED.value, now, now
    record("action.cancel", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
           old={"status": before}, new={"status": action.status, "finding": finding.ref}, comment=reason)
    return action


def transition(action: Action, to: ActionStatus | str, *, by, now: datetime, fields: dict | None = None,
               photos: list[bytes] | None = None) -> ActionEvent:
    """Move an action along the workflow, recording who, when, what they supplied and their photos.

    :param to: the status asked for.
    :param fields: what the user supplied, by ``workflow.FIELD_NAMES`` key; ``review_date`` is a
        date or ISO string, ``residual_grade`` a (likelihood, consequence) pair; ``comment`` is
        optional on every move.
    :param photos: uploaded image bytes; stored as evidence (verification photos for "verified").
    :raises workflow.TransitionError: the move is not allowed (message for the user).
    :raises ActionError: a supplied value is malformed.
    :raises imaging.PhotoRejected: a photo is not an acceptable image.
    """
    raw = dict(fields or {})
    photos = list(photos or [])
    clean = {key: _text(raw.get(key), name) for key, name in
             (("control", "interim control"), ("control_by", "person responsible"), ("reference", "reference"),
              ("product", "product fitted"), ("rationale", "rationale"), ("comment", "comment"))}
    clean["control_type"] = _text(raw.get("control_type"), "type of interim control", 30)
    clean["control_level"] = _text(raw.get("control_level"), "observation level", 30)
    clean["review_date"] = _review_date(raw.get("review_date"), now=now)
    clean["residual_grade"] = _residual(raw.get("residual_grade"))
    rules = grading_policy_for(action.ward)
    two_person = action.band is None or grading.needs_approver(action.band, rules)
    if (str(to) == ActionStatus.RISK_ACCEPTED.value and two_person and by.role == Role.SAFETY_LEAD.value
            and action.status != ActionStatus.RISK_ACCEPTED.value):
        return propose_acceptance(action, clean, by=by, now=now)
    t = check(action.status, to, role=by.role, fields={**clean, "photo": len(photos)}, actor_id=by.id,
              remediated_by_id=action.remediated_by_id, band=action.band,
              interim_in_place=action.interim_in_place_at is not None, policy=policy_for(action.ward),
              two_person=two_person, proposed_by_id=action.proposed_by_id)
    _check_clinical(action, t.target, clean, now=now, rules=rules)
    before = {"status": action.status}
    _apply(action, t.target, clean, by=by, now=now)
    event = _event(action, "transition", by=by, now=now, comment=clean["comment"], from_status=t.source.value,
                   to_status=t.target.value, fields=_plain_fields({k: v for k, v in clean.items()
                                                                  if k != "comment"}))
    action.status, action.updated_at = t.target.value, now
    if t.target is ActionStatus.RISK_ACCEPTED:
        likelihood, consequence = clean["residual_grade"]
        try:
            apply_grade(action.finding, likelihood, consequence, kind="residual", by=by, now=now,
                        comment=clean["rationale"])
        except FindingError as exc:
            raise ActionError(str(exc)) from None
    for data in photos:
        store_photo(data, ward_id=action.ward_id, by=by, now=now, kind=PHOTO_KIND.get(t.target, "evidence"),
                    action_event_id=event.id)
    event.fields = {**event.fields, "photos": len(photos)} if photos else event.fields
    record("action.transition", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
           old=before, new={"status": action.status, **event.fields}, comment=clean["comment"])
    return event


def _check_clinical(action: Action, target: ActionStatus, clean: dict, *, now: datetime,
                    rules: grading.GradingPolicy) -> None:
    """The grading rules a move must meet beyond the workflow table (typed interim controls, review caps).

    A control sent without a type (an older device, or the API before types) is "other", so its
    description is checked for a plea for vigilance like any other.
    """
    try:
        if target is ActionStatus.INTERIM:
            kind = grading.check_interim_control(clean["control_type"] or grading.InterimKind.OTHER.value,
                                                 clean["control"], clean["control_level"], band=action.band,
                                                 review_date=clean["review_date"], today=now.date(), policy=rules)
            clean["control_type"] = kind.value
            if kind is not grading.InterimKind.ENHANCED_OBSERVATION:
                clean["control_level"] = None
        elif target is ActionStatus.RISK_ACCEPTED and clean["review_date"] is not None:
            grading.check_acceptance_review(action.band, clean["review_date"], today=now.date(), policy=rules)
    except risk.RiskError as exc:
        raise ActionError(str(exc)) from None


def _clear_proposal(action: Action) -> None:
    action.proposed_by_id = action.proposed_at = action.proposed_rationale = None
    action.proposed_review_date = action.proposed_residual_likelihood = action.proposed_residual_consequence = None


def propose_acceptance(action: Action, clean: dict, *, by, now: datetime) -> ActionEvent:
    """A patient safety lead proposes accepting a High or Extreme risk; a risk approver decides.

    The proposal is checked as the acceptance itself would be (required fields, review interval
    capped by band, residual consequence not below the original); the status does not change.

    :param clean: the transition's cleaned fields (rationale, residual_grade, review_date, comment).
    :raises TransitionError: the move or a required field is refused.
    :raises ActionError: a value breaks a grading rule.
    """
    check(action.status, ActionStatus.RISK_ACCEPTED, role=by.role, fields=clean, actor_id=by.id,
          remediated_by_id=action.remediated_by_id, band=action.band,
          interim_in_place=action.interim_in_place_at is not None, policy=policy_for(action.ward))
    _check_clinical(action, ActionStatus.RISK_ACCEPTED, clean, now=now, rules=grading_policy_for(action.ward))
    likelihood, consequence = clean["residual_grade"]
    try:
        risk.score(likelihood, consequence)
        grading.check_residual(original_consequence(action.finding), consequence)
    except risk.RiskError as exc:
        raise ActionError(str(exc)) from None
    action.proposed_by_id, action.proposed_at = by.id, now
    action.proposed_rationale, action.proposed_review_date = clean["rationale"], clean["review_date"]
    action.proposed_residual_likelihood, action.proposed_residual_consequence = likelihood, consequence
    action.updated_at = now
    fields = _plain_fields({"rationale": clean["rationale"], "review_date": clean["review_date"],
                            "residual_grade": [likelihood, consequence]})
    event = _event(action, "proposal", by=by, now=now, comment=clean["comment"], fields=fields)
    record("action.acceptance_proposed", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
           new=fields, comment=clean["comment"])
    events.acceptance_proposed.send(action, now=now)
    return event


def approve_acceptance(action: Action, *, by, now: datetime, comment: str | None = None) -> ActionEvent:
    """A risk approver approves a safety lead's proposal: the risk is accepted as proposed.

    :raises TransitionError: no proposal, the same person, or not a risk approver.
    """
    if action.proposed_by_id is None:
        raise TransitionError("There is no proposal to accept this risk.")
    if by.role != Role.RISK_APPROVER.value:
        raise TransitionError("Only a risk approver can approve accepting a risk.")
    return transition(action, ActionStatus.RISK_ACCEPTED, by=by, now=now, fields={
        "rationale": action.proposed_rationale, "review_date": action.proposed_review_date,
        "residual_grade": (action.proposed_residual_likelihood, action.proposed_residual_consequence),
        "comment": comment})


def decline_acceptance(action: Action, *, by, now: datetime, comment: str | None) -> ActionEvent:
    """A risk approver (or the proposer) withdraws a proposal to accept the risk; the reason is kept."""
    comment = _text(comment, "comment")
    if action.proposed_by_id is None:
        raise ActionError("There is no proposal to decline.")
    if by.role != Role.RISK_APPROVER.value and by.id != action.proposed_by_id:
        raise ActionError("Only a risk approver, or the lead who proposed it, can decline the proposal.")
    if not comment:
        raise ActionError("Say why the proposal is declined.")
    _clear_proposal(action)
    action.updated_at = now
    event = _event(action, "declined", by=by, now=now, comment=comment)
    record("action.acceptance_declined", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
           comment=comment)
    return event


def _apply(action: Action, target: ActionStatus, clean: dict, *, by, now: datetime) -> None:
    """Copy what the move supplied onto the action's columns (the event keeps the full history)."""
    S = ActionStatus
    if target is S.INTERIM:
        action.interim_control, action.interim_control_by = clean["control"], clean["control_by"]
        action.interim_control_type = clean["control_type"]
        action.interim_observation_level = clean["control_level"]
        action.interim_review_date, action.interim_in_place_at = clean["review_date"], now
        action.ward_acknowledged_at = action.ward_acknowledged_by_id = None  # a new control needs a new look
    elif target is S.WORK_ORDERED and clean["reference"]:
        action.work_reference = clean["reference"]
    elif target is S.ESCALATED:
        action.risk_register_ref = clean["reference"]
    elif target is S.CAPITAL:
        action.capital_ref = clean["reference"]
    elif target is S.REMEDIATED:
        action.product_fitted, action.remediated_by_id, action.remediated_at = clean["product"], by.id, now
    elif target is S.VERIFIED:
        action.verified_by_id, action.verified_at = by.id, now
    elif target is S.CLOSED:
        action.closed_at = now
    elif target is S.RISK_ACCEPTED:
        action.accepted_rationale, action.accepted_review_date = clean["rationale"], clean["review_date"]
        action.residual_likelihood, action.residual_consequence = clean["residual_grade"]
        if action.proposed_by_id is not None:
            action.approved_by_id, action.approved_at = by.id, now
    elif target is S.OPEN:  # an accepted risk re-opened: its acceptance is history (in the events)
        _clear_proposal(action)
        action.approved_by_id = action.approved_at = None


def acknowledge_interim(actions: list[Action], *, by, now: datetime, comment: str | None = None) -> int:
    """A ward manager confirms on the ward that the recorded interim controls are in place.

    :param actions: open actions of wards the user manages; those without a recorded interim
        control are skipped (nothing to confirm).
    :returns: how many actions were acknowledged.
    :raises ActionError: when none of them has an interim control to acknowledge.
    """
    comment = _text(comment, "comment")
    done = 0
    for action in actions:
        if not action.is_open or action.interim_in_place_at is None:
            continue
        action.ward_acknowledged_at, action.ward_acknowledged_by_id, action.updated_at = now, by.id, now
        _event(action, "acknowledge", by=by, now=now, comment=comment,
               fields={"control": action.interim_control})
        record("action.acknowledge", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
               new={"control": action.interim_control}, comment=comment)
        done += 1
    if not done:
        raise ActionError("There is no interim control recorded to acknowledge yet.")
    return done


def add_comment(action: Action, text: str, *, by, now: datetime) -> ActionEvent:
    """Add a comment to the action's history."""
    text = _text(text, "comment")
    if not text:
        raise ActionError("Write a comment first.")
    event = _event(action, "comment", by=by, now=now, comment=text)
    record("action.comment", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id, comment=text)
    return event


def regrade(action: Action, likelihood, consequence, *, by, now: datetime, comment: str | None = None,
            consequence_reason: str | None = None):
    """Re-grade the action's ligature point: a new grade record, never an overwrite.

    The action's band follows (``on_finding_graded``); the event records the new score.
    """
    comment = _text(comment, "comment")
    if not comment:
        raise ActionError("Say why the point is being re-graded.")
    if not action.is_open:
        raise ActionError("Only an open action can be re-graded; re-open it first.")
    try:
        grade = apply_grade(action.finding, likelihood, consequence, kind="regrade", by=by, now=now,
                            comment=comment, consequence_reason=consequence_reason)
    except FindingError as exc:
        raise ActionError(str(exc)) from None
    _event(action, "regrade", by=by, now=now, comment=comment,
           fields={"likelihood": grade.likelihood, "consequence": grade.consequence, "score": grade.score,
                   "band": grade.band})
    record("action.regrade", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id,
           new={"score": grade.score, "band": grade.band}, comment=comment)
    return grade


def assign_owner(action: Action, *, owner=None, team: str | None = None, by, now: datetime) -> None:
    """Give the action to a named person, or to a team (the estates team by default)."""
    team = _text(team, "team name", 120)
    old = {"owner": action.owner_label}
    action.owner_id = owner.id if owner is not None else None
    action.owner_team = None if owner is not None else (team or ESTATES_TEAM)
    action.updated_at = now
    db.session.flush()
    db.session.refresh(action, ["owner"])
    new = {"owner": action.owner_label}
    if new == old:
        return
    _event(action, "owner", by=by, now=now, fields=new)
    record("action.owner", action, by=by, now=now, ward_id=action.ward_id, action_id=action.id, old=old, new=new)
