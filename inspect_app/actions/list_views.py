"""Action lists: "open hazards of my wards" for ward managers (every role gets the same list,
scoped to the wards they may see), with filters, paging, and the ward acknowledgement."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.actions import counts, queries, services
from inspect_app.actions.forms import AcknowledgeForm
from inspect_app.actions.queries import filter_choices
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import ActionStatus, Role
from inspect_app.estates.scope import ward_or_404
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("action_lists", __name__, url_prefix="/actions")
PER_PAGE = 50


@bp.app_context_processor
def attention_helper() -> dict:
    """``remediation_attention()`` for the home pages' attention partials (queried only when called),
    ``action_for(point)`` for the pages of other features that link a point's action (the point page),
    and ``ActionStatus`` for status labels."""
    def remediation_attention() -> dict:
        return counts.attention(current_user, now=utcnow())

    return {"remediation_attention": remediation_attention, "ActionStatus": ActionStatus,
            "action_for": services.action_for}


@bp.get("/")
@requires()
def index():
    now = utcnow()
    filters = queries.Filters.from_args(request.args)
    # Keyset paging: ``after`` is the last row of the previous page (a malformed one starts again at
    # the first page); ``page`` only numbers the page for the reader.
    after = queries.parse_key(request.args.get("after"))
    page = max(request.args.get("page", 1, type=int) or 1, 1) if after else 1
    actions, next_key = queries.action_list(current_user, filters, today=now.date(), after=after, per_page=PER_PAGE)
    total = queries.action_count(current_user, filters, today=now.date())
    title = "Open hazards on my wards" if current_user.role == Role.WARD_MANAGER.value else "Remediation actions"
    return render_template("actions/list.html", actions=actions, total=total, cap=queries.LIST_COUNT_CAP,
                           page=page, per_page=PER_PAGE,
                           next_after=queries.format_key(next_key) if next_key else None,
                           filters=filters, choices=filter_choices(current_user), now=now, title=title,
                           ack_form=AcknowledgeForm(prefix="ack", formdata=None))


@bp.post("/ward/<int:ward_id>/acknowledge")
@requires(Role.WARD_MANAGER)
def acknowledge_ward(ward_id: int):
    """Confirm on the ward that every recorded interim control of its open actions is in place."""
    ward = ward_or_404(ward_id)
    form = AcknowledgeForm(prefix="ack")
    actions = queries.open_ward_actions(ward.id)
    try:
        if not form.validate_on_submit():
            raise services.ActionError("Your form expired; reload the page and try again.")
        done = services.acknowledge_interim(actions, by=current_user, now=utcnow(), comment=form.comment.data)
    except services.ActionError as exc:
        refuse(f"{ward.name}: {exc}")
        return redirect(url_for("action_lists.index", ward=ward.id), code=303)
    flash(f"{ward.name}: recorded that {done} interim control(s) are in place.", "success")
    return redirect(url_for("action_lists.index", ward=ward.id))
