"""Photo use cases: store an upload (files fsynced before the database row), remove from a record.

Order matters for crash safety: renditions are written and fsynced first, then the row is added;
a crash between the two leaves an orphan file (found and removed by ``photos check``), never a
row pointing at a missing file.
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from inspect_app.audit.services import record
from inspect_app.extensions import db
from inspect_app.photos import imaging
from inspect_app.photos.models import Photo
from inspect_app.refusals import Conflict
from inspect_app.stores import photo_store
from inspect_app.stores.storage import PhotoStorage, StorageUnavailable, rendition_key

KINDS = {"finding", "evidence", "verification", "check", "room"}


class PhotoError(ValueError):
    """A refused photo operation, with a message for the user."""


class PhotoNotNow(PhotoError, Conflict):
    """No inspection of the ward is under way to take the photo in: 409 on every path."""


def storage() -> PhotoStorage:
    """The configured photo storage (local disk under PHOTO_ROOT, or S3: ``inspect_app.stores``)."""
    return photo_store()


def parse_uuid(value: str | None) -> uuidlib.UUID | None:
    if not value:
        return None
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        raise PhotoError("The photo id is not a valid UUID.") from None


def store_photo(data: bytes, *, ward_id: int, by, now: datetime, kind: str = "finding", finding=None,
                action_event_id: int | None = None, inspection_id: int | None = None,
                photo_uuid: str | None = None, caption: str | None = None, room_id: int | None = None) -> Photo:
    """Validate and process an upload, write its renditions durably, then add the Photo row.

    :param photo_uuid: the device's id for the photo; a second upload with the same id returns
        the stored photo (a retry after a lost response) instead of storing it twice.
    :raises imaging.PhotoRejected: the file is not an acceptable photo (message for the user).
    """
    if kind not in KINDS:
        raise PhotoError("Unknown photo kind.")
    photo_id = parse_uuid(photo_uuid) or uuidlib.uuid4()
    existing = db.session.scalar(select(Photo).where(Photo.uuid == str(photo_id)))
    if existing is not None:
        if existing.ward_id != ward_id:
            raise PhotoError("That photo id is already used elsewhere.")
        return existing
    if caption is not None and len(caption) > 500:
        raise PhotoError("Captions are at most 500 characters.")
    processed = imaging.process(data, max_bytes=current_app.config.get("PHOTO_MAX_BYTES", imaging.MAX_BYTES))
    store = storage()
    keys = {}
    try:
        for name in ("large", "report", "thumb"):
            keys[name] = rendition_key(photo_id, name)
            store.put(keys[name], processed.renditions[name].data)
    except StorageUnavailable:
        _tidy_partial(store, keys.values())
        raise
    large = processed.renditions["large"]
    photo = Photo(uuid=str(photo_id), ward_id=ward_id, kind=kind, finding_id=finding.id if finding else None,
                  action_event_id=action_event_id, inspection_id=inspection_id, room_id=room_id,
                  key_large=keys["large"],
                  key_report=keys["report"], key_thumb=keys["thumb"], sha256=large.sha256,
                  width=large.width, height=large.height, bytes=len(large.data), uploaded_bytes=len(data),
                  caption=caption, uploaded_by_id=by.id, uploaded_at=now)
    db.session.add(photo)
    db.session.flush()
    record("photo.add", photo, by=by, now=now, ward_id=ward_id, inspection_id=inspection_id,
           new={"uuid": photo.uuid, "kind": kind, "finding": finding.ref if finding else None,
                "sha256": photo.sha256, "uploaded_bytes": len(data)})
    return photo


def _tidy_partial(store: PhotoStorage, keys) -> None:
    """Best effort: delete the renditions of a failed upload; what stays is an orphan for ``photos check``."""
    for key in keys:
        try:
            store.delete(key)
        except OSError:
            pass


def remove_photo(photo: Photo, *, reason: str, by, now: datetime) -> None:
    """Take a photo off its record. The files and row stay; the removal is audited."""
    if photo.removed_at is not None:
        raise PhotoError("That photo was already removed.")
    reason = (reason or "").strip()
    if not reason:
        raise PhotoError("Give a reason for removing the photo.")
    if len(reason) > 500:
        raise PhotoError("The reason is at most 500 characters.")
    photo.removed_at, photo.removed_by_id, photo.removal_reason = now, by.id, reason
    record("photo.remove", photo, by=by, now=now, ward_id=photo.ward_id, inspection_id=photo.inspection_id,
           old={"removed": False}, new={"removed": True, "reason": reason})
