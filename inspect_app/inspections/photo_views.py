"""Ligature point photos: serve a rendition, add one to a point, take one off with a reason.

Photos are served only to signed-in users who may see the photo's ward, with
``Cache-Control: private`` so that no shared cache keeps a copy. A removed photo is no longer
served (it may have been removed because it showed a patient); the removal stays in the audit.
The blueprint is ``photos``; it sits with the walk because adding a photo to a point needs the
inspection under way on its ward (``point_photos``), which the photos package, below the walk,
does not know.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from inspect_app.clock import utcnow
from inspect_app.estates.scope import can_see_ward, staff_may_see_photos
from inspect_app.inspections import point_photos, queries
from inspect_app.inspections.lookup import WRITERS, finding_or_404, first_error
from inspect_app.photos import services
from inspect_app.photos.http import PHOTO_STATUS, too_large
from inspect_app.photos.imaging import PhotoRejected
from inspect_app.photos.serve import stored_file
from inspect_app.refusals import status_of
from inspect_app.security.access import EVERYONE, requires

bp = Blueprint("photos", __name__, url_prefix="/photos")
RENDITIONS = ("large", "report", "thumb")


bp.register_error_handler(413, too_large)

class PhotoAddForm(FlaskForm):
    """``photo.add``: one more photo for a ligature point (``photo_uuid`` makes a retry harmless)."""

    finding_id = IntegerField(validators=[InputRequired()])
    photo = FileField("Add a photo", validators=[FileRequired(message="Choose a photo to upload.")])
    photo_uuid = StringField(validators=[Optional(), Length(max=36)])


class PhotoRemoveForm(FlaskForm):
    reason = TextAreaField("Reason for removing the photo", validators=[
        InputRequired(message="Give a reason for removing the photo."), Length(max=500)])


@bp.get("/<uuid>/<rendition>.jpg")
@requires(*EVERYONE)  # ward staff: only where the trust lets them see photos
def file(uuid: str, rendition: str):
    photo = queries.photo_by_uuid(uuid)
    if photo is None or photo.removed_at is not None or not can_see_ward(current_user, photo.ward_id) \
            or rendition not in RENDITIONS or not staff_may_see_photos(current_user, photo.ward_id):
        abort(404)
    key = getattr(photo, f"key_{rendition}")
    etag = photo.sha256 if rendition == "large" else f"{photo.sha256[:32]}-{rendition}"
    # Never in the browser's HTTP cache: a shared tablet must not keep ligature photos after sign-out.
    # The offline ward pack keeps its own copies in the service worker's cache, cleared at sign-out.
    return stored_file(services.storage(), key, etag=etag, cache_control="no-store")


@bp.post("/add")
@requires(*WRITERS)
def add():
    form = PhotoAddForm()
    if not form.validate_on_submit():
        abort(400, first_error(form))
    finding = finding_or_404(form.finding_id.data)
    try:
        point_photos.add_finding_photo(form.photo.data.read(), finding=finding, photo_uuid=form.photo_uuid.data or None,
                                   by=current_user, now=utcnow())
    except PhotoRejected as exc:
        abort(PHOTO_STATUS.get(exc.code, 422), f"The photo was not saved: {exc}")
    except services.PhotoError as exc:
        abort(status_of(exc), str(exc))
    flash(f"Photo added to {finding.ref}.", "success")
    return redirect(url_for("findings.detail", finding_id=finding.id, _anchor="photos"))


@bp.post("/<uuid>/remove")
@requires(*WRITERS)
def remove(uuid: str):
    photo = queries.photo_by_uuid(uuid)
    if photo is None or photo.finding_id is None or not can_see_ward(current_user, photo.ward_id):
        abort(404)
    form = PhotoRemoveForm()
    if not form.validate_on_submit():
        abort(422, first_error(form))
    try:
        services.remove_photo(photo, reason=form.reason.data, by=current_user, now=utcnow())
    except services.PhotoError as exc:
        abort(409, str(exc))
    flash("Photo removed from the record. The removal and its reason are in the history.", "success")
    return redirect(url_for("findings.detail", finding_id=photo.finding_id, _anchor="photos"))
