"""User accounts and sign-in throttling."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.extensions import db

if TYPE_CHECKING:
    from inspect_app.estates.models import Ward


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))  # domain.workflow.Role value
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on password change / reset / deactivation so every other session signs out.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    # The link table belongs to the estate (estates.models.ward_managers), named here so that
    # accounts do not import the estate: the estate's wards point at their managers, not back.
    managed_wards: Mapped[list[Ward]] = relationship(
        secondary="ward_manager", back_populates="managers", order_by="Ward.name"
    )
    staff_wards: Mapped[list[Ward]] = relationship(secondary="ward_staff", back_populates="staff", order_by="Ward.name")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        # The server-side session this request belongs to (``auth/sessions.py``) travels with the
        # id, in the session cookie and in a "keep me signed in" cookie alike.
        token = getattr(self, "session_token", None)
        return f"{self.id}:{self.session_version}" + (f":{token}" if token else "")

    @property
    def role_label(self) -> str:
        return Role(self.role).label


class LoginThrottle(db.Model):
    """Failed sign-ins per email *and source*, known email or not (so lock-out cannot reveal which
    emails exist). ``email`` holds ``"<email>|<source>"``: the source is the device (a signed
    cookie given at a successful sign-in) or else the network address, so a stranger's failures
    lock only the stranger's own pair and never the owner's device (docs/decisions.md)."""

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class UserSession(db.Model):
    """One signed-in session on one device: signing out ends it here, so a copy of the cookie
    taken before sign-out is refused afterwards. Ending every session of an account is a bump of
    ``User.session_version`` instead (password change, reset, deactivation, sign out everywhere)."""

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)  # "keep me signed in on this device"
    ended_at: Mapped[datetime | None]
