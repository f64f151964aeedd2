"""Consistency between the photo store and the Photo rows: orphaned files and missing files.

An orphan is a stored file that no row names: what a crash between writing the renditions
and committing the row leaves behind. A missing file is a row whose rendition is gone, which
the write order (files fsynced before the row commits) should make impossible.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from sqlalchemy import select

from inspect_app import events
from inspect_app.extensions import db
from inspect_app.photos.models import Photo
from inspect_app.stores.storage import PhotoStorage


@dataclass
class CheckReport:
    files: int = 0
    rows: int = 0
    orphans: list[str] = field(default_factory=list)
    recent_orphans: list[str] = field(default_factory=list)  # possibly an upload still in flight
    missing: list[tuple[str, str]] = field(default_factory=list)  # (photo uuid, key)
    corrupt: list[tuple[str, str]] = field(default_factory=list)  # (photo uuid, key) whose SHA-256 differs

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt)


def check_photos(store: PhotoStorage, *, grace_seconds: float = 600, checksums: bool = False,
                 now: float | None = None) -> CheckReport:
    """Compare the store with the rows.

    :param grace_seconds: unreferenced files younger than this are listed as recent, not as
        orphans, because their upload may not have committed yet.
    :param checksums: also re-hash each large rendition and compare with the row's SHA-256.
    :param now: the current time as a POSIX timestamp (file ages are measured against it).
    """
    now = time.time() if now is None else now
    report = CheckReport()
    referenced: set[str] = set()
    for photo in db.session.scalars(select(Photo).order_by(Photo.id)):
        report.rows += 1
        for key in (photo.key_large, photo.key_report, photo.key_thumb):
            referenced.add(key)
            if not store.exists(key):
                report.missing.append((photo.uuid, key))
        if checksums and store.exists(photo.key_large) \
                and hashlib.sha256(store.read(photo.key_large)).hexdigest() != photo.sha256:
            report.corrupt.append((photo.uuid, photo.key_large))
    # Other features keep files in the same store (ward plans: so backups carry them); not orphans.
    for _, files in events.stored_files_listing.send(store):
        for owner, key in files:
            referenced.add(key)
            if not store.exists(key):
                report.missing.append((owner, key))
    for key in store.keys():
        report.files += 1
        if key in referenced:
            continue
        try:
            age = now - store.modified(key)
        except FileNotFoundError:  # deleted since the listing
            continue
        (report.recent_orphans if age < grace_seconds else report.orphans).append(key)
    return report


def remove_orphans(store: PhotoStorage, report: CheckReport) -> int:
    """Delete the orphans found by :func:`check_photos` (never the recent ones)."""
    for key in report.orphans:
        store.delete(key)
    return len(report.orphans)
