"""One remediation action: its history timeline and the forms for the moves the user may make.

Transport only: parse the form, call a service, commit once. A refused move re-renders the page
with the workflow's message and a 4xx status; the session is rolled back so nothing is saved.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from inspect_app.actions import queries, services, transitions
from inspect_app.actions.forms import (
    AcknowledgeForm,
    ApproveForm,
    CommentForm,
    DeclineForm,
    OwnerForm,
    RegradeForm,
    TransitionForm,
)
from inspect_app.actions.models import Action
from inspect_app.auth import queries as auth_queries
from inspect_app.clock import utcnow
from inspect_app.domain import grading
from inspect_app.domain.workflow import ActionStatus, Role, TransitionError, allowed
from inspect_app.estates.scope import can_see_ward, on_visible_ward_or_404
from inspect_app.findings.services import grading_policy_for, policy_for
from inspect_app.forms_util import choices
from inspect_app.photos.imaging import PhotoRejected
from inspect_app.photos.serve import stored_file
from inspect_app.photos.services import PhotoError, storage
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("actions", __name__, url_prefix="/actions")
REFUSALS = (TransitionError, services.ActionError, PhotoRejected, PhotoError)
ESTATES_ROLES = (Role.INSPECTOR, Role.SAFETY_LEAD, Role.ADMIN)


def action_or_404(action_id: int) -> Action:
    """Load an action the current user may see (404 for another ward's, so ids cannot be probed)."""
    return on_visible_ward_or_404(Action, action_id)


def _needs_approver(action: Action) -> bool:
    return grading.needs_approver(action.band, grading_policy_for(action.ward))


def _moves(action: Action):
    moves = allowed(action.status, role=current_user.role, band=action.band,
                    interim_in_place=action.interim_in_place_at is not None, policy=policy_for(action.ward))
    if current_user.role == Role.RISK_APPROVER.value and _needs_approver(action):
        # An approver decides on a lead's proposal (the approve form), never accepts alone.
        moves = [t for t in moves if t.target is not ActionStatus.RISK_ACCEPTED]
    return moves


def _review_hint(t, action: Action) -> str | None:
    """The longest review interval the band allows, shown beside the review date."""
    rules = grading_policy_for(action.ward)
    days = (rules.acceptance_review_days if t.target is ActionStatus.RISK_ACCEPTED
            else rules.interim_review_days).get(action.band)
    return f"Within {days} days for a {action.band_level.label} point." if days else None


def _offered(action: Action) -> tuple[list, list[tuple[str, str]]]:
    """The moves to offer, and the ones this user's role allows but that they may not make here,
    with the reason (verifying one's own work), so the page says so instead of offering a form
    that would be refused after the photos are uploaded."""
    offered, withheld = [], []
    for t in _moves(action):
        if t.target is ActionStatus.VERIFIED and action.remediated_by_id in (None, current_user.id):
            withheld.append((t.label, "You recorded this remediation, so a different person must verify it on site."
                             if action.remediated_by_id == current_user.id
                             else "No remediation has been recorded yet, so there is nothing to verify."))
        else:
            offered.append(t)
    return offered, withheld


def _people() -> list:
    return choices([("", "No named person (team)")] + queries.assignable_people())


def _owner_form(action: Action | None = None) -> OwnerForm:
    """Bound to the request when ``action`` is None, else pre-filled from the action."""
    if action is None:
        form = OwnerForm(prefix="owner")
    else:
        form = OwnerForm(prefix="owner", formdata=None, data={
            "owner_id": action.owner_id, "team": action.owner_team if action.owner_id is None else ""})
    form.owner_id.choices = _people()
    return form


def render_detail(action: Action, *, error: str | None = None, forms: dict | None = None, status: int = 200):
    events = queries.action_events(action.id)
    photos = queries.event_photos([e.id for e in events])
    forms = forms or {}
    moves, withheld = _offered(action)
    move_forms = {t.target.value: forms.get(t.target.value) or TransitionForm(prefix=t.target.value, formdata=None)
                  for t in moves}
    finding = action.finding
    return render_template(
        "actions/detail.html", action=action, finding=finding, events=events, photos=photos, moves=moves,
        move_forms=move_forms, error=error, now=utcnow(), ActionStatus=ActionStatus,
        comment_form=forms.get("comment") or CommentForm(prefix="comment", formdata=None),
        ack_form=forms.get("ack") or AcknowledgeForm(prefix="ack", formdata=None),
        regrade_form=forms.get("regrade") or RegradeForm(prefix="regrade", formdata=None),
        owner_form=_owner_form(action), can_estates=current_user.role in {r.value for r in ESTATES_ROLES},
        approve_form=forms.get("approve") or ApproveForm(prefix="approve", formdata=None),
        decline_form=forms.get("decline") or DeclineForm(prefix="decline", formdata=None),
        proposer=auth_queries.user(action.proposed_by_id),
        approver=auth_queries.user(action.approved_by_id),
        needs_approver=_needs_approver(action), review_hint=_review_hint,
        finding_photos=list(finding.photos), withheld=withheld), status


@bp.get("/<int:action_id>")
@requires()
def detail(action_id: int):
    return render_detail(action_or_404(action_id))


def _refused(action_id: int, exc: Exception, forms: dict, status: int):
    refuse()
    return render_detail(action_or_404(action_id), error=str(exc), forms=forms, status=status)


@bp.post("/<int:action_id>/move/<target>")
@requires()
def move(action_id: int, target: str):
    action = action_or_404(action_id)
    if target not in {s.value for s in ActionStatus}:
        abort(404)
    form = TransitionForm(prefix=target)
    if not form.validate_on_submit():
        problems = "; ".join(f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())
        return render_detail(action, error=problems or "Check what you entered.", forms={target: form}, status=400)
    try:
        transitions.transition(action, target, by=current_user, now=utcnow(), fields=form.values(),
                               photos=form.uploads())
    except REFUSALS as exc:
        return _refused(action_id, exc, {target: form}, 409 if isinstance(exc, TransitionError) else 400)
    if target == ActionStatus.RISK_ACCEPTED.value and action.status != target:
        flash(f"Acceptance of {action.ref} proposed. A risk approver must approve it before the risk is accepted.",
              "success")
    else:
        flash(f"{action.ref} is now {ActionStatus(action.status).label.lower()}.", "success")
    return redirect(url_for("actions.detail", action_id=action.id))


@bp.post("/<int:action_id>/approve")
@requires(Role.RISK_APPROVER)
def approve(action_id: int):
    action = action_or_404(action_id)
    form = ApproveForm(prefix="approve")
    try:
        if not form.validate_on_submit():
            raise services.ActionError(" ".join(sum(form.errors.values(), [])))
        transitions.approve_acceptance(action, by=current_user, now=utcnow(), comment=form.comment.data)
    except REFUSALS as exc:
        return _refused(action_id, exc, {"approve": form}, 409 if isinstance(exc, TransitionError) else 400)
    flash(f"Risk on {action.ref} accepted; review by {action.accepted_review_date:%d %b %Y}.", "success")
    return redirect(url_for("actions.detail", action_id=action.id))


@bp.post("/<int:action_id>/decline")
@requires(Role.RISK_APPROVER, Role.SAFETY_LEAD)
def decline(action_id: int):
    action = action_or_404(action_id)
    form = DeclineForm(prefix="decline")
    try:
        if not form.validate_on_submit():
            raise services.ActionError(" ".join(sum(form.errors.values(), [])))
        transitions.decline_acceptance(action, by=current_user, now=utcnow(), comment=form.comment.data)
    except services.ActionError as exc:
        return _refused(action_id, exc, {"decline": form}, 409)
    flash(f"The proposal to accept the risk on {action.ref} was declined.", "success")
    return redirect(url_for("actions.detail", action_id=action.id))


@bp.post("/<int:action_id>/comment")
@requires()
def comment(action_id: int):
    action = action_or_404(action_id)
    form = CommentForm(prefix="comment")
    try:
        if not form.validate_on_submit():
            raise services.ActionError(" ".join(sum(form.errors.values(), [])))
        services.add_comment(action, form.text.data, by=current_user, now=utcnow())
    except services.ActionError as exc:
        return _refused(action_id, exc, {"comment": form}, 400)
    flash("Comment added.", "success")
    return redirect(url_for("actions.detail", action_id=action.id) + "#history")


@bp.post("/<int:action_id>/acknowledge")
@requires(Role.WARD_MANAGER)
def acknowledge(action_id: int):
    action = action_or_404(action_id)
    form = AcknowledgeForm(prefix="ack")
    try:
        if not form.validate_on_submit():
            raise services.ActionError(" ".join(sum(form.errors.values(), [])))
        services.acknowledge_interim([action], by=current_user, now=utcnow(), comment=form.comment.data)
    except services.ActionError as exc:
        return _refused(action_id, exc, {"ack": form}, 409)
    flash("Recorded: the interim control is in place on the ward.", "success")
    return redirect(url_for("actions.detail", action_id=action.id))


@bp.post("/<int:action_id>/regrade")
@requires(*ESTATES_ROLES)
def regrade(action_id: int):
    action = action_or_404(action_id)
    form = RegradeForm(prefix="regrade")
    try:
        if not form.validate_on_submit():
            raise services.ActionError(" ".join(sum(form.errors.values(), [])))
        grade = services.regrade(action, form.likelihood.data, form.consequence.data, by=current_user,
                                 now=utcnow(), comment=form.comment.data,
                                 consequence_reason=form.consequence_reason.data or None)
    except services.ActionError as exc:
        return _refused(action_id, exc, {"regrade": form}, 400)
    flash(f"Re-graded: score {grade.score}, {grade.band}.", "success")
    return redirect(url_for("actions.detail", action_id=action.id))


@bp.post("/<int:action_id>/owner")
@requires(*ESTATES_ROLES)
def owner(action_id: int):
    action = action_or_404(action_id)
    form = _owner_form()
    if not form.validate_on_submit():
        return _refused(action_id, services.ActionError("Choose a person from the list, or name a team."), {}, 400)
    person = auth_queries.user(form.owner_id.data)
    try:
        services.assign_owner(action, owner=person, team=form.team.data, by=current_user, now=utcnow())
    except services.ActionError as exc:
        return _refused(action_id, exc, {}, 400)
    flash(f"Owner: {action.owner_label}.", "success")
    return redirect(url_for("actions.detail", action_id=action.id))


@bp.get("/photos/<int:photo_id>/<rendition>")
@requires()
def photo(photo_id: int, rendition: str):
    """An action's evidence or verification photo (never cached by shared caches)."""
    item = queries.photo_or_none(photo_id)
    if rendition not in {"thumb", "large"} or item is None or item.action_event_id is None or item.removed_at is not None \
            or not can_see_ward(current_user, item.ward_id):
        abort(404)
    key = item.key_thumb if rendition == "thumb" else item.key_large
    return stored_file(storage(), key, cache_control="private, no-store")
