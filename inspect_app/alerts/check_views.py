"""Recurring product checks: fixtures per ward with due/overdue, register a fixture, record a check.

Recording a check works from the walk-through: the room partial links here with ``next`` (the
page to return to) and ``inspection`` (the walk-through the check belongs to).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.alerts import queries, services
from inspect_app.alerts.forms import CheckForm, FixtureForm
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.estates import queries as estate_queries
from inspect_app.estates.models import Ward
from inspect_app.estates.scope import can_see_ward, visible_ward_ids, ward_or_404
from inspect_app.forms_util import choices
from inspect_app.inspections.queries import inspection_or_none
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("fixture_checks", __name__, url_prefix="/checks")
REGISTRARS = (Role.ADMIN, Role.INSPECTOR)  # estates know what is fitted where


def _fixture_form(ward: Ward) -> FixtureForm:
    form = FixtureForm(prefix="fixture")
    form.room_id.choices = choices((r.id, r.name) for r in ward.active_rooms)
    form.alert_id.choices = choices([(0, "None")] + [(a.id, a.label) for a in queries.alerts_newest_first()])
    return form


def _safe_next(value: str | None) -> str | None:
    """Only a path on this site: never an absolute or protocol-relative URL (open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@bp.get("/")
@requires()
def index():
    today = utcnow().date()
    ids = visible_ward_ids(current_user)
    counts = queries.fixture_counts(today=today, ward_ids=ids)
    return render_template("alerts/checks_index.html", wards=queries.wards_by_site(ids), counts=counts)


@bp.get("/wards/<int:ward_id>")
@requires()
def ward(ward_id: int):
    ward = ward_or_404(ward_id)
    rows = queries.fixture_rows(today=utcnow().date(), ward_id=ward.id)
    form = _fixture_form(ward) if current_user.role in {r.value for r in REGISTRARS} else None
    return render_template("alerts/checks_ward.html", ward=ward, rows=rows, form=form)


@bp.post("/wards/<int:ward_id>/fixtures")
@requires(*REGISTRARS)
def add_fixture(ward_id: int):
    ward = ward_or_404(ward_id)
    form = _fixture_form(ward)
    if not form.validate_on_submit():
        flash("Check the fixture form: " + " ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("fixture_checks.ward", ward_id=ward.id)), 303
    room = estate_queries.room(form.room_id.data)
    if room is None or room.ward_id != ward.id:
        abort(400, "Choose a room on this ward.")
    alert = queries.get_alert(form.alert_id.data) if form.alert_id.data else None
    try:
        services.add_fixture(room, kind=form.kind.data, label=form.label.data, interval_days=form.interval_days.data,
                             alert=alert, by=current_user, now=utcnow())
    except services.AlertError as exc:
        refuse(str(exc))
        return redirect(url_for("fixture_checks.ward", ward_id=ward.id)), 303
    flash(f"{form.label.data} added to {room.name}. Its first check is due now.", "success")
    return redirect(url_for("fixture_checks.ward", ward_id=ward.id))


@bp.route("/fixtures/<int:fixture_id>/check", methods=["GET", "POST"])
@requires()
def record(fixture_id: int):
    fixture = queries.get_fixture(fixture_id)
    if fixture is None or not can_see_ward(current_user, fixture.room.ward_id):
        abort(404)
    back = _safe_next(request.values.get("next")) or url_for("fixture_checks.ward", ward_id=fixture.room.ward_id)
    inspection_id = request.values.get("inspection", type=int)
    inspection = inspection_or_none(inspection_id) if inspection_id else None
    if inspection is not None and inspection.ward_id != fixture.room.ward_id:
        inspection = None
    form = CheckForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.record_check(fixture, result=form.result.data, notes=form.notes.data, by=current_user,
                                      now=utcnow(), inspection_id=inspection.id if inspection else None)
            except services.AlertError as exc:
                refuse()
                form.notes.errors = [*form.notes.errors, str(exc)]
            else:
                flash(f"Check of {fixture.label} recorded: {form.result.data}.", "success")
                return redirect(back)
        flash("The check was not recorded: see the messages below.", "error")
        return render_template("alerts/check_form.html", fixture=fixture, form=form, back=back,
                               inspection=inspection), 400
    return render_template("alerts/check_form.html", fixture=fixture, form=form, back=back, inspection=inspection)
