"""Ligature point pages: record one (with photos and a grade), its detail page, edit and re-grade.

Transport only. A ligature point and its photos are saved together or not at all: if any photo
in the submission is refused, the session is rolled back, so no point is left without the photo
the inspector thought they attached (renditions already written for an earlier photo of the
same submission are orphan files, which ``photos check --remove-orphans`` clears).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app import events
from inspect_app.checklists import queries as checklist_queries
from inspect_app.checklists.models import ChecklistItem
from inspect_app.clock import utcnow
from inspect_app.domain.risk import parse_grade
from inspect_app.findings import editing, services, withdrawal
from inspect_app.findings.forms import FindingEditForm, FindingForm, GradeForm, WithdrawForm
from inspect_app.findings.grid import grade_cells, room_floors
from inspect_app.findings.models import Finding
from inspect_app.inspections import answering, queries
from inspect_app.inspections import services as inspections
from inspect_app.inspections.finding_history import detail_context
from inspect_app.inspections.lookup import (
    WRITERS,
    finding_or_404,
    first_error,
    inspection_or_404,
    room_or_404,
    room_url,
    writable_or_409,
)
from inspect_app.inspections.models import Inspection
from inspect_app.photos import services as photos
from inspect_app.photos.http import PHOTO_STATUS, too_large
from inspect_app.photos.imaging import PhotoRejected
from inspect_app.refusals import status_of
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("findings", __name__, url_prefix="/ligature-points")
bp.register_error_handler(413, too_large)
OTHER = "Other"


def _categories(inspection: Inspection, room) -> list[tuple[str, str]]:
    """The room's fixture categories first, then the rest of the checklist's, then Other."""
    rows = queries.category_rows(inspection.template_id)
    mine = [c for c, area in rows if area == room.area_type_id]
    names = list(dict.fromkeys(mine + sorted({c for c, _ in rows}) + [OTHER]))
    return [("", "Choose a category")] + [(name, name) for name in names]


def _item_for(inspection: Inspection, room, item_id: int | None) -> ChecklistItem | None:
    if not item_id:
        return None
    item = checklist_queries.get_item(item_id)
    if item is None or item.template_id != inspection.template_id or item.area_type_id != room.area_type_id:
        abort(404)
    return item


def _render_new(form: FindingForm, inspection, room, item, *, error=None, status=200):
    return render_template("findings/new.html", form=form, inspection=inspection, room=room, item=item,
                           cells=grade_cells(room), floors=room_floors(room), error=error), status


@bp.get("/new")
@requires(*WRITERS)
def new():
    inspection = inspection_or_404(request.args.get("inspection_id", type=int))
    writable_or_409(inspection)
    room = room_or_404(inspection, request.args.get("room_id", type=int))
    item = _item_for(inspection, room, request.args.get("item_id", type=int))
    form = FindingForm(formdata=None, data={"inspection_id": inspection.id, "room_id": room.id,
                                            "item_id": item.id if item else None,
                                            "category": item.category if item else ""})
    form.category.choices = _categories(inspection, room)
    return _render_new(form, inspection, room, item)


@bp.post("/new")
@requires(*WRITERS)
def create():
    form = FindingForm()
    inspection = inspection_or_404(form.inspection_id.data)
    writable_or_409(inspection)
    room = room_or_404(inspection, form.room_id.data)
    item = _item_for(inspection, room, form.item_id.data)
    form.category.choices = _categories(inspection, room)
    if form.client_id.data:
        existing = queries.finding_by_client_id(form.client_id.data)
        if existing is not None:  # a resubmission of a point already saved: no duplicate
            if existing.ward_id != inspection.ward_id:
                abort(409, "That device id is already used by another ligature point.")
            return redirect(room_url(inspection.id, existing.room_id, f"finding-{existing.id}"))
    if not form.validate_on_submit():
        return _render_new(form, inspection, room, item, error=first_error(form), status=422)
    grade = parse_grade(form.grade.data)
    uploads = [upload.read() for upload in (form.photos.data or []) if getattr(upload, "filename", "")]
    now = utcnow()
    try:
        finding = services.record_finding(inspection=inspection, room=room, item=item, by=current_user, now=now,
                                          likelihood=grade[0] if grade else None,
                                          consequence=grade[1] if grade else None,
                                          client_id=form.client_id.data or None, photos=len(uploads),
                                          consequence_reason=form.consequence_reason.data or None, **form.details())
        for data in uploads:
            photos.store_photo(data, ward_id=room.ward_id, finding=finding, inspection_id=inspection.id,
                               by=current_user, now=now)
        if request.form.get("pin_x") or request.form.get("pin_y"):  # tapped on the ward plan: plans pins it
            events.finding_pin_given.send(finding, x=request.form.get("pin_x"), y=request.form.get("pin_y"),
                                          by=current_user, now=now)
        if item is not None:
            answering.answer_with_point(inspection=inspection, room=room, item=item, finding=finding,
                                        by=current_user, now=now)
    except PhotoRejected as exc:
        refuse()
        return _render_new(form, inspection, room, item, status=PHOTO_STATUS.get(exc.code, 422),
                           error=f"Nothing was saved: {exc} Take the photo again or choose another.")
    except (services.FindingError, photos.PhotoError, inspections.InspectionError) as exc:
        refuse()
        return _render_new(form, inspection, room, item, error=str(exc), status=status_of(exc))
    band = f", graded {finding.band.capitalize()} ({finding.score})" if finding.band else ", not graded yet"
    flash(f"Ligature point {finding.ref} saved{band}" + (f" with {len(uploads)} photo(s)." if uploads else "."),
          "success")
    return redirect(room_url(inspection.id, room.id, f"finding-{finding.id}"))


@bp.get("/<int:finding_id>")
@requires()
def detail(finding_id: int):
    return render_template("findings/detail.html", **detail_context(finding_or_404(finding_id, withdrawn=True)))


@bp.post("/<int:finding_id>/withdraw")
@requires()
def withdraw(finding_id: int):
    """"Recorded in error": the recorder before sign-off, a patient safety lead after."""
    finding = finding_or_404(finding_id)
    form = WithdrawForm()
    if not form.validate_on_submit() or form.finding_id.data != finding.id:
        abort(422, first_error(form) if form.errors else "The form is for a different ligature point.")
    try:
        withdrawal.withdraw_finding(finding, reason=form.reason.data, by=current_user, now=utcnow())
    except services.FindingError as exc:
        abort(status_of(exc), str(exc))  # a 4xx: the request's transaction rolls back
    flash(f"{finding.ref} withdrawn as recorded in error; it no longer counts in the figures.", "success")
    inspection = queries.inspection_or_none(finding.last_inspection_id)
    return redirect(room_url(inspection.id, finding.room_id) if not inspection.is_read_only
                    else url_for("findings.detail", finding_id=finding.id))


def _editable(finding: Finding) -> Inspection:
    inspection = queries.inspection_or_none(finding.last_inspection_id)
    writable_or_409(inspection)
    return inspection


@bp.route("/<int:finding_id>/edit", methods=["GET", "POST"])
@requires(*WRITERS)
def edit(finding_id: int):
    finding = finding_or_404(finding_id)
    inspection = _editable(finding)
    if request.method == "GET":
        form = FindingEditForm(formdata=None, obj=finding, finding_id=finding.id)
    else:
        form = FindingEditForm()
    form.category.choices = _categories(inspection, finding.room)
    if finding.category not in {value for value, _ in form.category.choices}:
        form.category.choices.insert(1, (finding.category, finding.category))
    error, status = None, 200
    if request.method == "POST":
        if form.finding_id.data != finding.id:
            abort(400, "The form is for a different ligature point.")
        if form.validate_on_submit():
            try:
                changed = editing.update_finding(finding, form.details(), by=current_user, now=utcnow(),
                                                 inspection=inspection,
                                                 consequence_reason=form.consequence_reason.data or None)
            except services.FindingError as exc:
                refuse()
                error, status = str(exc), status_of(exc)
            else:
                flash(f"{finding.ref} updated ({len(changed)} field(s) changed).", "success")
                return redirect(url_for("findings.detail", finding_id=finding.id))
        else:
            error, status = first_error(form), 422
    return render_template("findings/edit.html", form=form, finding=finding, inspection=inspection,
                           error=error), status


@bp.post("/<int:finding_id>/grade")
@requires(*WRITERS)
def grade(finding_id: int):
    finding = finding_or_404(finding_id)
    inspection = _editable(finding)
    form = GradeForm()
    if not form.validate_on_submit() or form.finding_id.data != finding.id:
        abort(422, first_error(form) if form.errors else "The form is for a different ligature point.")
    likelihood, consequence = parse_grade(form.grade.data)
    try:
        services.grade_finding(finding, likelihood, consequence, by=current_user, now=utcnow(),
                               inspection=inspection, comment=form.comment.data or None,
                               consequence_reason=form.consequence_reason.data or None)
    except services.FindingError as exc:
        abort(status_of(exc), str(exc))  # a 4xx: the request's transaction rolls back
    flash(f"{finding.ref} graded {finding.band.capitalize()} ({finding.score}). Earlier grades are kept.", "success")
    return redirect(url_for("findings.detail", finding_id=finding.id))
