"""A ward's floor plan: one image (renditions stored like photos). A new upload adds a row; the
newest is the plan in use, earlier ones stay for the record."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.estates.models import Ward
from inspect_app.extensions import db


class WardPlan(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    source_format: Mapped[str] = mapped_column(String(10))  # JPEG, PNG, WEBP or PDF
    key_large: Mapped[str] = mapped_column(String(255))  # shown on screen and printed
    key_thumb: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))  # of the large rendition: part of the briefing version
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    ward: Mapped[Ward] = relationship()
