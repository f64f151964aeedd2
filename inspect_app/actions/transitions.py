"""An action's workflow moves: ``transition`` (with what the move supplies and its photos), and
accepting a High or Extreme risk by two people (a safety lead proposes, a risk approver decides).

The workflow table and who may make each move are ``domain.workflow``; the grading rules a move
must also meet (typed interim controls, review caps, residual grade) are ``domain.grading``.
Services flush and audit; views commit.
"""
from __future__ import annotations

from datetime import date, datetime

from inspect_app import events
from inspect_app.actions.models import Action, ActionEvent
from inspect_app.actions.services import ActionError, add_event, plain_fields, text_field
from inspect_app.audit.services import record
from inspect_app.domain import grading, risk
from inspect_app.domain.workflow import ActionStatus, Role, TransitionError, check
from inspect_app.findings.services import FindingError, apply_grade, grading_policy_for, original_consequence, policy_for
from inspect_app.photos.services import store_photo

PHOTO_KIND = {ActionStatus.VERIFIED: "verification"}  # every other transition's photos are evidence


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
    clean = {key: text_field(raw.get(key), name) for key, name in
             (("control", "interim control"), ("control_by", "person responsible"), ("reference", "reference"),
              ("product", "product fitted"), ("rationale", "rationale"), ("comment", "comment"))}
    clean["control_type"] = text_field(raw.get("control_type"), "type of interim control", 30)
    clean["control_level"] = text_field(raw.get("control_level"), "observation level", 30)
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
    event = add_event(action, "transition", by=by, now=now, comment=clean["comment"], from_status=t.source.value,
                      to_status=t.target.value, fields=plain_fields({k: v for k, v in clean.items()
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
    fields = plain_fields({"rationale": clean["rationale"], "review_date": clean["review_date"],
                            "residual_grade": [likelihood, consequence]})
    event = add_event(action, "proposal", by=by, now=now, comment=clean["comment"], fields=fields)
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
    comment = text_field(comment, "comment")
    if action.proposed_by_id is None:
        raise ActionError("There is no proposal to decline.")
    if by.role != Role.RISK_APPROVER.value and by.id != action.proposed_by_id:
        raise ActionError("Only a risk approver, or the lead who proposed it, can decline the proposal.")
    if not comment:
        raise ActionError("Say why the proposal is declined.")
    _clear_proposal(action)
    action.updated_at = now
    event = add_event(action, "declined", by=by, now=now, comment=comment)
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
