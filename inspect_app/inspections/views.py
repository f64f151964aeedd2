"""Inspection pages: the list, starting one, the ward overview, sign-off and corrections.

Transport only: parse, call a service, commit once, redirect. A refused step shows the
service's message with a 4xx status and nothing saved. The room page lives in room_views.py.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.auth import oidc
from inspect_app.checklists.library import current_published
from inspect_app.clock import utcnow
from inspect_app.domain import checklist as rules
from inspect_app.domain import risk
from inspect_app.domain.assurance import Capacity, required_capacities
from inspect_app.domain.checklist import InspectionType
from inspect_app.domain.workflow import Role
from inspect_app.estates.scope import visible_ward_ids, ward_or_404
from inspect_app.inspections import assurance as assurance_reads
from inspect_app.inspections import queries, services, signing, versions, walk
from inspect_app.inspections.forms import (
    ATTESTATION,
    CLINICAL_ATTESTATION,
    CorrectionForm,
    DiscreetForm,
    SignOffForm,
    StartForm,
)
from inspect_app.inspections.lookup import (
    DISCREET_COOKIE,
    WRITERS,
    can_write,
    first_error,
    inspection_or_404,
    is_discreet,
    overview_or_404,
)
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.refusals import status_of
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("inspections", __name__, url_prefix="/inspections")
REFUSALS = (services.InspectionError, versions.CorrectionError)
#: Who may ask for a correction (the service then allows only the lead inspector or a safety lead).
CORRECTORS = (*WRITERS, Role.SAFETY_LEAD)


def _in_progress_by_ward(ward_id: int) -> Inspection | None:
    """The ward's inspection under way: every ward's read in one statement the first time a page asks
    (a home page asks for each of up to dozens of wards), kept for the request."""
    if "_in_progress" not in g:
        g._in_progress = services.in_progress_by_ward()
    return g._in_progress.get(ward_id)


@bp.app_context_processor
def walkthrough_helpers():
    """``inspection_in_progress(ward_id)`` for the per-ward links on home pages, and discreet mode."""
    return {"inspection_in_progress": _in_progress_by_ward, "can_write_inspections": can_write,
            "discreet": is_discreet(), "InspectionType": InspectionType, "MITIGATIONS": risk.MITIGATIONS,
            "LOW_LEVEL_REASON": risk.LOW_LEVEL_REASON, "CONSEQUENCE_GUIDANCE": risk.CONSEQUENCE_GUIDANCE,
            "LIKELIHOOD_GUIDANCE": risk.LIKELIHOOD_GUIDANCE}


@bp.get("/")
@requires()
def index():
    ids = visible_ward_ids(current_user)
    return render_template("inspections/index.html", inspections=queries.recent_inspections(ids))


@bp.route("/start/<int:ward_id>", methods=["GET", "POST"])
@requires(*WRITERS)
def start(ward_id: int):
    ward = ward_or_404(ward_id)
    running = services.in_progress_for(ward.id)
    if running is not None:
        flash(f"{ward.name} already has an inspection in progress; continue it here.", "warning")
        return redirect(url_for("inspections.overview", inspection_id=running.id))
    form = StartForm()
    if request.method == "GET":
        form.team[0].form.name.data = current_user.name
        form.team[0].form.role.data = "Lead inspector (estates)"
    error, status = None, 200
    if form.validate_on_submit():
        try:
            inspection = services.start_inspection(ward=ward, inspection_type=form.inspection_type.data,
                                                   team=form.members(), by=current_user, now=utcnow())
        except REFUSALS as exc:
            refuse()
            error, status = str(exc), 422
        else:
            flash(f"Inspection {inspection.ref} of {ward.name} started.", "success")
            return redirect(url_for("inspections.overview", inspection_id=inspection.id))
    elif request.method == "POST":
        error, status = first_error(form), 422
    previous = services.last_signed_off(ward.id)
    still_open = queries.present_point_count(ward.id) if previous else 0
    checklist = current_published()
    covers = dict(services.coverage(checklist, ward)) if checklist else {}
    return render_template("inspections/start.html", ward=ward, form=form, error=error, covers=covers,
                           checklist=checklist, previous=previous, still_open=still_open), status


@bp.get("/<int:inspection_id>")
@requires()
def overview(inspection_id: int):
    inspection = overview_or_404(inspection_id)
    progress = walk.ward_progress(inspection)
    upcoming = rules.next_unfinished(progress)
    carried = walk.carried_forward(inspection)
    return render_template(
        "inspections/overview.html", inspection=inspection, progress=progress,
        next_room=progress[upcoming].room if upcoming is not None else None,
        carried=carried, carried_by_room=_count_by_room(carried),
        points=sum(status.findings for status in progress),
        inspected=sum(1 for s in progress if s.state == rules.RoomState.COMPLETE),
        not_accessible=sum(1 for s in progress if s.state == rules.RoomState.NOT_ACCESSIBLE),
        flags=assurance_reads.flags_for(inspection, progress),
        scans={s.room.id: s.label_scanned_at for s in progress if s.label_scanned_at},  # read with the walk
        # shown once every room is done (until then the next room is the way forward)
        problems=services.signoff_problems(inspection, progress, carried)
        if upcoming is None and not inspection.is_read_only else [],
        # only a signed-off inspection can be corrected, so one in progress has no later versions
        later=versions.later_versions(inspection) if inspection.is_read_only else [], writer=can_write())


def _count_by_room(findings) -> dict[int, int]:
    counts: dict[int, int] = {}
    for finding in findings:
        counts[finding.room_id] = counts.get(finding.room_id, 0) + 1
    return counts


@bp.route("/<int:inspection_id>/sign-off", methods=["GET", "POST"])
@requires()
def signoff(inspection_id: int):
    inspection = inspection_or_404(inspection_id)
    form, error, status = SignOffForm(), None, 200
    if request.method == "POST":
        # Inspectors sign as lead; ward managers and patient safety leads give the clinical sign-off.
        if not can_write() and signing.capacity_for(inspection, current_user) is None:
            abort(403)
        if not form.validate_on_submit():
            error, status = first_error(form), 422
        else:
            try:
                created = signing.sign_off(inspection=inspection, password=form.password.data,
                                           capacity=form.capacity.data or None, acknowledged=form.acknowledge.data,
                                           attestation=ATTESTATION, by=current_user, now=utcnow(),
                                           sso_authenticated_at=oidc.fresh_auth_time())
            except REFUSALS as exc:
                refuse()
                error, status = str(exc), status_of(exc)
            else:
                if inspection.status == InspectionStatus.SIGNED_OFF:
                    flash(f"{inspection.ref} signed off. {len(created)} remediation action(s) created.", "success")
                else:
                    flash(f"Signed as lead inspector. {inspection.ref} now needs its clinical sign-off by a ward "
                          "manager of the ward or a patient safety lead.", "success")
                return redirect(url_for("inspections.overview", inspection_id=inspection.id))
    problems = [] if inspection.is_read_only else services.signoff_problems(inspection)
    flags = assurance_reads.flags_for(inspection)
    capacity = signing.capacity_for(inspection, current_user)
    return render_template("inspections/signoff.html", inspection=inspection, form=form, error=error,
                           problems=problems, attestation=ATTESTATION if capacity != "clinical" else CLINICAL_ATTESTATION,
                           writer=can_write(), flags=flags, capacity=capacity, Capacity=Capacity,
                           needed=required_capacities(inspection.inspection_type),
                           correction_form=CorrectionForm(formdata=None),
                           may_correct=versions.may_correct(inspection, current_user),
                           sso=oidc.enabled(), sso_fresh=oidc.fresh_auth_time()), status


@bp.post("/<int:inspection_id>/correction")
@requires(*CORRECTORS)
def correction(inspection_id: int):
    inspection = inspection_or_404(inspection_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        abort(422, first_error(form))
    try:
        new = versions.start_correction(inspection=inspection, reason=form.reason.data, by=current_user,
                                        now=utcnow())
    except REFUSALS as exc:
        abort(status_of(exc, 409), str(exc))
    flash(f"Correction {new.ref} started. The signed original {inspection.ref} is kept unchanged.", "success")
    return redirect(url_for("inspections.overview", inspection_id=new.id))


@bp.post("/discreet")
@requires()
def discreet():
    """Toggle discreet mode without JavaScript: a cookie on this device (room.js also keeps localStorage)."""
    form = DiscreetForm()
    if not form.validate_on_submit():
        abort(400)
    target = form.next.data or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    response = redirect(target)
    turn_on = not is_discreet()
    response.set_cookie(DISCREET_COOKIE, "1" if turn_on else "0", max_age=365 * 86400, samesite="Lax",
                        secure=request.is_secure, httponly=False)  # room.js reads it to stay in step
    return response


def inspection_status_label(inspection: Inspection) -> str:
    if inspection.awaiting_clinical:
        return "Awaiting clinical sign-off"
    return {InspectionStatus.IN_PROGRESS: "In progress", InspectionStatus.SIGNED_OFF: "Signed off",
            InspectionStatus.SUPERSEDED: "Superseded by a correction"}.get(inspection.status, inspection.status)


bp.add_app_template_filter(inspection_status_label, "inspection_status")
