"""The room page and its one-tap writes: answer an item, room access, carry-forward outcomes.

Every answer is its own small POST form, saved the moment it is tapped (no page-level save).
Without JavaScript each write redirects back to the item it changed (``#item-<id>``); the
offline queue replays the same forms (``data-op``) and updates the page itself.
"""
from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.checklists import queries as checklist_queries
from inspect_app.clock import utcnow
from inspect_app.domain.checklist import Answer as AnswerValue
from inspect_app.domain.checklist import CarryForwardOutcome
from inspect_app.inspections import answering, queries, services
from inspect_app.inspections.forms import AccessForm, AnswerForm, CarryForwardForm, RemainingForm, RoomPhotoForm
from inspect_app.inspections.lookup import (
    WRITERS,
    can_write,
    finding_or_404,
    first_error,
    inspection_or_404,
    room_or_404,
    room_page_or_404,
    room_url,
    writable_or_409,
)
from inspect_app.inspections.walk import RoomPoint, carried_forward, room_checklist, room_points, walk_position
from inspect_app.photos.http import PHOTO_STATUS
from inspect_app.photos.imaging import PhotoRejected
from inspect_app.photos.services import PhotoError
from inspect_app.refusals import status_of
from inspect_app.security.access import requires

bp = Blueprint("rooms", __name__, url_prefix="/inspections")
# A dense room's points list is shown this many at a time (``?points=<page>``): a room with 75
# points sends a quarter of the rows and thumbnails, and each item still links its own points.
POINTS_SHOWN = 25


def _words(field) -> tuple[str, str]:
    """A form field's label and hint, read from its class (making the form on every view cost more)."""
    return field.args[0], field.kwargs.get("description", "")


_FORM_WORDS = {"photo": _words(RoomPhotoForm.photo), "reason": _words(AccessForm.reason)}


@bp.get("/<int:inspection_id>/rooms/<int:room_id>")
@requires()
def room(inspection_id: int, room_id: int):
    inspection, room_, has_checks, has_photos = room_page_or_404(inspection_id, room_id)
    items, answers, notes = room_checklist(inspection, room_)
    walk = walk_position(inspection, room_)
    findings = room_points(inspection, room_)  # with a thumbnail each
    carried = carried_forward(inspection, room_, photos=True)
    by_item: dict[int | None, list[RoomPoint]] = {}
    for finding in findings:
        by_item.setdefault(finding.item_id, []).append(finding)
    outcomes = queries.carry_forward_outcomes(inspection.id, [f.id for f in carried])
    carried_ids = {f.id for f in carried}
    points = [f for f in findings if f.id not in carried_ids and not f.is_check]  # a failed check shows on its item
    pages = max(1, -(-len(points) // POINTS_SHOWN))
    page = min(max(request.args.get("points", 1, type=int) or 1, 1), pages)
    return render_template(
        "inspections/room.html", inspection=inspection, room=room_, walk=walk, answers=answers, has_checks=has_checks,
        groups=[(category, list(group)) for category, group in groupby(items, key=lambda i: i.category)],
        by_item=by_item, notes=notes, points_total=len(points), points_page=page,
        points_pages=pages, points_first=(page - 1) * POINTS_SHOWN + 1,
        points=points[(page - 1) * POINTS_SHOWN:page * POINTS_SHOWN], carried=carried, outcomes=outcomes, writer=can_write(),
        answer_choices=list(AnswerValue), outcome_choices=list(CarryForwardOutcome),
        remaining=sum(item.id not in answers and not item.is_check for item in items),  # answering.remaining_items
        words=_FORM_WORDS, room_photos=queries.room_photos(inspection.id, room_.id) if has_photos else [],
        scanned_at=walk.label_scanned_at)  # read with the walk position


@bp.post("/<int:inspection_id>/rooms/<int:room_id>/photo")
@requires(*WRITERS)
def room_photo(inspection_id: int, room_id: int):
    """Add a photo of the room itself (online; a refused photo says why and nothing is saved)."""
    inspection, room_, *_ = room_page_or_404(inspection_id, room_id)
    writable_or_409(inspection)
    form = RoomPhotoForm()
    if not form.validate_on_submit():
        abort(422, first_error(form))
    try:
        services.add_room_photo(inspection=inspection, room=room_, data=form.photo.data.read(), by=current_user,
                                now=utcnow(), photo_uuid=form.photo_uuid.data or None)
    except PhotoRejected as exc:
        abort(PHOTO_STATUS.get(exc.code, 422), f"The photo was not saved: {exc}")
    except (services.InspectionError, PhotoError) as exc:
        abort(422, str(exc))
    flash(f"Photo of {room_.name} added.", "success")
    return redirect(url_for("rooms.room", inspection_id=inspection.id, room_id=room_.id, _anchor="room-photos"))


@bp.post("/answer")
@requires(*WRITERS)
def answer():
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400, first_error(form))
    inspection = inspection_or_404(form.inspection_id.data)
    writable_or_409(inspection)
    room_ = room_or_404(inspection, form.room_id.data)
    item = checklist_queries.get_item(form.item_id.data)
    if item is None:
        abort(404)
    try:
        answering.record_answer(inspection=inspection, room=room_, item=item, value=form.value.data,
                                comment=form.comment.data or None, na_reason=form.na_reason.data or None,
                                na_detail=form.na_detail.data or None, by=current_user, now=utcnow())
    except services.InspectionError as exc:
        abort(status_of(exc), str(exc))
    if AnswerValue(form.value.data).is_ligature_point and not queries.has_present_point(inspection, room_.id, item.id):
        # Straight to the ligature point form, item and category filled in: the photo comes next.
        return redirect(url_for("findings.new", inspection_id=inspection.id, room_id=room_.id, item_id=item.id))
    return redirect(room_url(inspection.id, room_.id, f"item-{item.id}"))


@bp.post("/remaining-compliant")
@requires(*WRITERS)
def remaining_compliant():
    """Every unanswered item of the room answered Compliant in one bulk answer."""
    form = RemainingForm()
    if not form.validate_on_submit():
        abort(400, first_error(form))
    inspection = inspection_or_404(form.inspection_id.data)
    writable_or_409(inspection)
    room_ = room_or_404(inspection, form.room_id.data)
    try:
        marked = answering.mark_remaining_compliant(inspection=inspection, room=room_, expected=form.count.data,
                                                    by=current_user, now=utcnow())
    except services.InspectionError as exc:
        abort(status_of(exc), str(exc))
    flash(f"{len(marked)} remaining item(s) in {room_.name} marked compliant.", "success")
    return redirect(room_url(inspection.id, room_.id))


@bp.post("/room-access")
@requires(*WRITERS)
def access():
    form = AccessForm()
    if not form.validate_on_submit():
        abort(400, first_error(form))
    inspection = inspection_or_404(form.inspection_id.data)
    writable_or_409(inspection)
    room_ = room_or_404(inspection, form.room_id.data)
    accessible = form.not_accessible.data == "0"
    try:
        services.set_not_accessible(inspection=inspection, room=room_, reason=form.reason.data, by=current_user,
                                    now=utcnow(), accessible=accessible)
    except services.InspectionError as exc:
        abort(status_of(exc), str(exc))
    flash(f"{room_.name} is " + ("accessible again: answer its items." if accessible
                                 else "marked not accessible. You can come back to it later."), "success")
    return redirect(room_url(inspection.id, room_.id))


@bp.post("/carry-forward")
@requires(*WRITERS)
def carry_forward():
    form = CarryForwardForm()
    if not form.validate_on_submit():
        abort(400, first_error(form))
    inspection = inspection_or_404(form.inspection_id.data)
    writable_or_409(inspection)
    finding = finding_or_404(form.finding_id.data)
    try:
        services.record_carry_forward(inspection=inspection, finding=finding, outcome=form.outcome.data,
                                      comment=form.comment.data or None, by=current_user, now=utcnow())
    except services.InspectionError as exc:
        abort(status_of(exc), str(exc))
    return redirect(room_url(inspection.id, finding.room_id, f"finding-{finding.id}"))
