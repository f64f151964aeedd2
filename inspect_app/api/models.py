"""Receipts of synced operations: the client's operation id is unique, so a replay is answered
with the original result and never applied twice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.clock import utcnow
from inspect_app.extensions import db


class SyncReceipt(db.Model):
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    status_code: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # SHA-256 of the operation's kind and payload: the same op id with another payload is a 409.
    payload_sha256: Mapped[str | None] = mapped_column(String(64))
