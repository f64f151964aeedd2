"""The ligature briefing of a ward: the hot-spot map and its key, "I have read it", who has
(for the ward's manager and the trust's leads), and the one-page hot-spot map PDF."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField

from inspect_app.briefings import services
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.estates.queries import first_trust
from inspect_app.estates.scope import staff_may_see_photos, ward_or_404
from inspect_app.plans.mapdata import PlanMap, hotspot_report, plan_map
from inspect_app.plans.queries import plan_rows
from inspect_app.plans.services import current_plan
from inspect_app.presence import any_rows, register
from inspect_app.refusals import status_of
from inspect_app.reports.pdf.hotspot import render_hotspot
from inspect_app.security.access import EVERYONE, requires
from inspect_app.transaction import refuse

# No floor plan uploaded anywhere: the pages showing a ward's plan need no query of their own.
register("plans", plan_rows)
bp = Blueprint("briefings", __name__)
#: Who sees the list of readers: the ward's manager (their own wards only) and the trust's leads.
READERS_VISIBLE_TO = {Role.WARD_MANAGER.value, Role.SAFETY_LEAD.value, Role.ADMIN.value}


class ConfirmForm(FlaskForm):
    version = HiddenField()


class StaffPhotosForm(FlaskForm):
    enabled = BooleanField("Ward staff may see photos of ligature points")


@bp.app_context_processor
def plan_helpers() -> dict:
    """``ward_plan_map(ward)`` and ``briefing_due(ward)`` for the pages that show a ward's plan
    (queried only when a template calls them)."""
    def ward_plan_map(ward):
        if not any_rows("plans") or current_plan(ward.id) is None:  # no plan in the trust: no query of its own
            return PlanMap(ward.id, ward.name, None, (), ())
        return plan_map(ward, today=utcnow().date())

    def briefing_due(ward) -> bool:
        return not services.has_confirmed(ward.id, current_user.id, services.current_version(ward.id))

    return {"ward_plan_map": ward_plan_map, "briefing_due": briefing_due}


@bp.get("/wards/<int:ward_id>/briefing")
@requires(*EVERYONE)
def show(ward_id: int):
    ward = ward_or_404(ward_id)
    version = services.current_version(ward.id)
    readers = services.readers(ward, version) if current_user.role in READERS_VISIBLE_TO else None
    return render_template("briefings/show.html", ward=ward, version=version, form=ConfirmForm(version=version),
                           confirmed=services.has_confirmed(ward.id, current_user.id, version),
                           readers=readers, plan_map=plan_map(ward, today=utcnow().date()),
                           show_photos=staff_may_see_photos(current_user, ward.id))


@bp.post("/wards/<int:ward_id>/briefing/confirm")
@requires(*EVERYONE)
def confirm(ward_id: int):
    ward = ward_or_404(ward_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("The form has expired. Reload the page and confirm again.", "error")
        return redirect(url_for("briefings.show", ward_id=ward.id), 303)
    try:
        services.confirm(ward, version=form.version.data or None, by=current_user, now=utcnow())
    except services.BriefingError as exc:
        refuse(str(exc))
        return render_template("errors/error.html", status=status_of(exc), message=str(exc)), status_of(exc)
    flash(f"Thank you: you have confirmed you read the ligature briefing for {ward.name}.", "success")
    return redirect(url_for("briefings.show", ward_id=ward.id), 303)


@bp.get("/wards/<int:ward_id>/hot-spot-map.pdf")
@requires(*EVERYONE)
def hotspot_pdf(ward_id: int):
    ward = ward_or_404(ward_id)
    report = hotspot_report(ward, version=services.current_version(ward.id), by=current_user, now=utcnow())
    pdf = render_hotspot(report)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="hot-spot-map-{ward.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/admin/ward-staff", methods=["GET", "POST"])
@requires(Role.ADMIN)
def staff_settings():
    trust = first_trust()
    form = StaffPhotosForm(enabled=trust.staff_photos if trust else False)
    if trust is not None and form.validate_on_submit():
        services.set_staff_photos(trust, enabled=form.enabled.data, by=current_user, now=utcnow())
        flash("Saved: ward staff " + ("may now see" if form.enabled.data else "no longer see") + " photos.", "success")
        return redirect(url_for("briefings.staff_settings"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("briefings/staff_settings.html", form=form, trust=trust), status
