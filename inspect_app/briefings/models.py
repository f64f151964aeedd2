"""A person's confirmation that they have read one version of a ward's ligature briefing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.auth.models import User
from inspect_app.extensions import db


class BriefingConfirmation(db.Model):
    __table_args__ = (UniqueConstraint("ward_id", "user_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    version: Mapped[str] = mapped_column(String(64))  # briefings.services.current_version
    confirmed_at: Mapped[datetime]

    user: Mapped[User] = relationship()
