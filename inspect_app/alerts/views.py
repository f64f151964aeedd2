"""The alert register: list, record, edit, detail with implementing items, and the trust's response."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.alerts import queries, services
from inspect_app.alerts.draft_views import base_choices
from inspect_app.alerts.forms import AlertForm, DraftForm, ResponseForm
from inspect_app.alerts.models import Alert
from inspect_app.checklists import queries as checklist_queries
from inspect_app.clock import utcnow
from inspect_app.domain.alerts import CheckState
from inspect_app.domain.workflow import Role
from inspect_app.forms_util import choices
from inspect_app.presence import any_rows
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
LEADS = (Role.ADMIN, Role.SAFETY_LEAD)


def _alert_or_404(alert_id: int) -> Alert:
    return queries.get_alert(alert_id) or abort(404)


def _alert_form(alert: Alert | None) -> AlertForm:
    form = AlertForm(obj=alert if request.method == "GET" else None)
    form.area_type_codes.choices = choices(
        (a.code, a.name) for a in checklist_queries.area_types_by_name())
    return form


@bp.app_context_processor
def _template_helpers():
    """Helpers for the partials other pages include (ward cards, walk-through, checklist page).

    Fixture counts are computed once per request, however many ward cards ask.
    """
    def counts_for(ward_id: int) -> dict:
        if "_fixture_counts" not in g:
            g._fixture_counts = queries.fixture_counts(today=utcnow().date()) if any_rows("fixtures") else {}
        return g._fixture_counts.get(ward_id, {state: 0 for state in CheckState})

    def room_rows(room_id: int) -> list:
        return queries.fixture_rows(today=utcnow().date(), room_id=room_id)

    return {"fixture_counts_for": counts_for, "room_fixture_rows": room_rows,
            "template_alerts": queries.alerts_covered}


@bp.get("/")
@requires(*LEADS)
def index():
    alerts = queries.alerts_newest_first()
    return render_template("alerts/index.html", alerts=alerts, today=utcnow().date())


@bp.route("/new", methods=["GET", "POST"])
@requires(*LEADS)
def new():
    return _edit(None)


@bp.route("/<int:alert_id>/edit", methods=["GET", "POST"])
@requires(*LEADS)
def edit(alert_id: int):
    return _edit(_alert_or_404(alert_id))


def _edit(alert: Alert | None):
    form = _alert_form(alert)
    if request.method == "POST":
        if form.validate_on_submit():
            values = {name: getattr(form, name).data for name in services.FIELDS}
            try:
                alert = services.save_alert(alert, by=current_user, now=utcnow(), **values)
            except services.AlertError as exc:
                refuse(str(exc))
            else:
                flash(f"Alert {alert.label} saved.", "success")
                return redirect(url_for("alerts.detail", alert_id=alert.id))
        else:
            flash("Check the form: some fields are missing or invalid.", "error")
        return render_template("alerts/form.html", form=form, alert=alert), 400
    return render_template("alerts/form.html", form=form, alert=alert)


@bp.get("/<int:alert_id>")
@requires(*LEADS)
def detail(alert_id: int):
    alert = _alert_or_404(alert_id)
    response = ResponseForm(status=alert.response_status, note=alert.response_note)
    not_assessed = queries.wards_not_assessed(alert)
    draft_form = base_choices(DraftForm(prefix="draft")) if current_user.role == Role.ADMIN.value else None
    return render_template("alerts/detail.html", alert=alert, groups=queries.items_implementing(alert),
                           response=response, not_assessed=not_assessed, today=utcnow().date(), draft_form=draft_form,
                           area_names=queries.area_type_names())


@bp.post("/<int:alert_id>/response")
@requires(*LEADS)
def response(alert_id: int):
    alert = _alert_or_404(alert_id)
    form = ResponseForm()
    if not form.validate_on_submit():
        flash("Choose a response status.", "error")
        return redirect(url_for("alerts.detail", alert_id=alert.id)), 303
    try:
        services.set_response(alert, status=form.status.data, note=form.note.data, by=current_user, now=utcnow())
    except services.AlertError as exc:
        refuse(str(exc))
        return redirect(url_for("alerts.detail", alert_id=alert.id)), 303
    flash(f"Response recorded: {alert.response_label}.", "success")
    return redirect(url_for("alerts.detail", alert_id=alert.id))
