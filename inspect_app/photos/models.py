"""Photo records. Files live in PhotoStorage; the database keeps keys and checksums.

A photo is never deleted from a record: removal sets ``removed_at`` (audited) so the evidence
trail stays whole.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.clock import utcnow
from inspect_app.extensions import db


class Photo(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # public id, and the client's id when offline
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)  # who may see it
    kind: Mapped[str] = mapped_column(String(20), default="finding")  # finding | evidence | verification | check | room
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), index=True)
    # A photo of the room itself, taken during an inspection (kind "room"): the record that the room was seen.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"), index=True)
    action_event_id: Mapped[int | None] = mapped_column(ForeignKey("action_event.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    key_large: Mapped[str] = mapped_column(String(200))
    key_report: Mapped[str] = mapped_column(String(200))
    key_thumb: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored large rendition
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    uploaded_bytes: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(Text)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    removal_reason: Mapped[str | None] = mapped_column(Text)
