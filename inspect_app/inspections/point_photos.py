"""A photo added to a ligature point on its own (the point's page, ``photo.add``): it belongs to the
inspection now under way on the point's ward, which the walk knows and ``photos`` (below it) does not.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.inspections.services import in_progress_for
from inspect_app.photos.models import Photo
from inspect_app.photos.services import PhotoNotNow, parse_uuid, store_photo


def add_finding_photo(data: bytes, *, finding, by, now: datetime, photo_uuid: str | None = None) -> Photo:
    """Add a photo to a ligature point during the inspection now under way on its ward (the point's
    own, or the one re-checking it as carried forward); a signed-off record gains no photos.

    :raises PhotoNotNow: no inspection of the ward is in progress, or the point is not present.
    """
    existing = db.session.scalar(select(Photo).where(Photo.uuid == str(parse_uuid(photo_uuid)))) \
        if photo_uuid else None
    if existing is not None and existing.finding_id == finding.id:
        return existing  # the same upload again, after a lost response
    inspection = in_progress_for(finding.ward_id)
    if inspection is None or finding.state != "present":
        raise PhotoNotNow("Photos are added during an inspection of the ward; none is in progress.")
    return store_photo(data, ward_id=finding.ward_id, finding=finding, kind="finding", inspection_id=inspection.id,
                       photo_uuid=photo_uuid, by=by, now=now)
