"""The outgoing mail queue. A message is written in the same transaction as the change it reports,
then sent later; a failed send stays queued with its error and a back-off time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.clock import utcnow
from inspect_app.extensions import db


class Notification(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # new_action | digest
    # One message per event and recipient, however often the job or the hook runs.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
