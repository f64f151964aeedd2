"""Plan pages: the admin uploads a ward's plan and places its rooms; inspectors pin points; the
plan image is served to anyone who may see the ward (it shows no patient and no photo)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.clock import utcnow
from inspect_app.estates.queries import room as room_by_id
from inspect_app.estates.scope import can_see_ward, ward_or_404
from inspect_app.inspections.lookup import finding_or_404, first_error
from inspect_app.photos.imaging import PhotoRejected
from inspect_app.photos.serve import stored_file
from inspect_app.plans import queries, services
from inspect_app.plans.forms import PinForm, PlaceRoomForm, PlanUploadForm, fill_place, fraction, room_choice
from inspect_app.plans.mapdata import plan_map
from inspect_app.refusals import status_of
from inspect_app.security.access import EVERYONE, requires
from inspect_app.stores import photo_store
from inspect_app.transaction import refuse

bp = Blueprint("plans", __name__)
PLAN_STATUS = {"too_large": 413, "unsupported_format": 415}


def _place_form(ward) -> PlaceRoomForm:
    """The form to place a room, on a GET started from the room asked for (``?room=``, a placed
    room's link) or else the next room to place in walk order, with its saved place filled in."""
    form = PlaceRoomForm(prefix="place")
    rooms = ward.active_rooms
    form.room_id.choices = [room_choice(room) for room in rooms]
    if request.method == "GET" and rooms:
        asked = request.args.get("room", type=int)
        fill_place(form, next((r for r in rooms if r.id == asked), None)
                   or next((r for r in rooms if r.plan_x is None), rooms[0]))
    return form


def _switched_to_placed(form: PlaceRoomForm, room) -> bool:
    """The form was filled for one room and another, already placed, was chosen without the script
    (which fills the form on a change): saving would give it the first room's place."""
    return bool(form.shown.data) and form.shown.data != str(room.id) and room.plan_x is not None


@bp.get("/admin/wards/<int:ward_id>/plan")
@requires(*services.PLANNERS)
def ward(ward_id: int):
    ward_ = ward_or_404(ward_id)
    return _ward_page(ward_, PlanUploadForm(prefix="plan"), _place_form(ward_))


def _ward_page(ward_, upload, place, status: int = 200):
    return render_template("plans/ward.html", ward=ward_, upload=upload, place=place,
                           plan_map=plan_map(ward_, today=utcnow().date())), status


@bp.post("/admin/wards/<int:ward_id>/plan")
@requires(*services.PLANNERS)
def upload(ward_id: int):
    ward_ = ward_or_404(ward_id)
    form = PlanUploadForm(prefix="plan")
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return _ward_page(ward_, form, _place_form(ward_), 400)
    try:
        services.upload_plan(form.plan.data.read(), ward=ward_, page=form.page.data or 1, by=current_user, now=utcnow())
    except PhotoRejected as exc:
        refuse(str(exc))
        return _ward_page(ward_, form, _place_form(ward_), PLAN_STATUS.get(exc.code, 422))
    flash("Plan uploaded. Place each room on it below.", "success")
    return redirect(url_for("plans.ward", ward_id=ward_.id), 303)


@bp.post("/admin/wards/<int:ward_id>/plan/rooms")
@requires(*services.PLANNERS)
def place(ward_id: int):
    ward_ = ward_or_404(ward_id)
    form = _place_form(ward_)
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return _ward_page(ward_, PlanUploadForm(prefix="plan"), form, 400)
    room = room_by_id(form.room_id.data)
    if _switched_to_placed(form, room):
        refuse(f"{room.name} is already on the plan: the form now shows its saved place. Change it and save "
               "again; nothing was saved.")
        fill_place(form, room)
        return _ward_page(ward_, PlanUploadForm(prefix="plan"), form, 409)
    try:
        services.place_room(room, x=fraction(form.x.data), y=fraction(form.y.data), w=fraction(form.w.data),
                            h=fraction(form.h.data), by=current_user, now=utcnow())
    except services.PlanError as exc:
        refuse(str(exc))
        return _ward_page(ward_, PlanUploadForm(prefix="plan"), form, status_of(exc))
    flash(f"{room.name} placed on the plan.", "success")
    return redirect(url_for("plans.ward", ward_id=ward_.id, _anchor="place"), 303)


@bp.get("/plans/<uuid>.jpg")
@requires(*EVERYONE)
def image(uuid: str):
    plan = queries.plan_by_uuid(uuid)
    if plan is None or not can_see_ward(current_user, plan.ward_id):
        abort(404)
    thumb = request.args.get("size") == "thumb"
    return stored_file(photo_store(), plan.key_thumb if thumb else plan.key_large,
                       etag=f"{plan.sha256[:32]}-{'thumb' if thumb else 'large'}", cache_control="private, no-cache")


@bp.route("/ligature-points/<int:finding_id>/pin", methods=["GET", "POST"])
@requires(*services.PINNERS)
def pin(finding_id: int):
    finding = finding_or_404(finding_id)
    form = PinForm()  # no prefix: the device queues the fields as the point.pin payload
    status = 200
    if form.validate_on_submit():
        try:
            services.pin_point(finding, x=fraction(form.x.data), y=fraction(form.y.data), by=current_user, now=utcnow())
        except services.PlanError as exc:
            refuse(str(exc))
            status = status_of(exc)
        else:
            flash(f"{finding.ref} pinned on the plan.", "success")
            return redirect(url_for("findings.detail", finding_id=finding.id), 303)
    elif request.method == "POST":
        flash(first_error(form), "error")
        status = 400
    return render_template("plans/pin.html", finding=finding, form=form,
                           plan_map=plan_map(finding.ward, today=utcnow().date())), status
