"""Server-side sessions: each sign-in is a row; signing out ends it on the server.

A session cookie (or "keep me signed in" cookie) carries ``user id : session version : token``.
A request is signed in only while all three hold: the account is active, its session version is
unchanged (a password change, an admin reset or deactivation, or "sign out everywhere" bumps it,
ending every session of the account at once), and the token's row is not ended or older than
``SESSION_HOURS``. Signing out ends just this device's row, so a tablet on the ward stays signed
in when the same person signs out at a desk.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update

from inspect_app.audit.services import record
from inspect_app.auth.models import User, UserSession
from inspect_app.extensions import db


def start(user: User, *, now: datetime, remember: bool = False) -> UserSession:
    """A new session for ``user`` on this device; ``user.get_id()`` now names it."""
    row = UserSession(token=secrets.token_urlsafe(24), user_id=user.id, created_at=now, remember=remember)
    db.session.add(row)
    user.session_token = row.token
    return row


def check(user: User, token: str | None, *, now: datetime, hours: int, row: UserSession | None = None) -> bool:
    """Whether the session named by ``token`` is still open for ``user``; keeps the token on the
    user so that Flask-Login writes it back when it refreshes a cookie.

    :param row: the session row named by ``token`` when the caller read it already (with the user).
    """
    if token is None:
        return False
    row = row if row is not None and row.token == token else db.session.get(UserSession, token)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return False
    if row.created_at + timedelta(hours=hours) < now:
        return False
    user.session_token = token
    return True


def is_remembered(user: User) -> bool:
    token = getattr(user, "session_token", None)
    row = db.session.get(UserSession, token) if token else None
    return bool(row is not None and row.remember)


def end(user: User, *, now: datetime) -> None:
    """Sign this device's session out on the server (audited)."""
    token = getattr(user, "session_token", None)
    row = db.session.get(UserSession, token) if token else None
    if row is not None and row.ended_at is None:
        row.ended_at = now
    elif row is None:  # a session from before server-side sessions: only a new version ends it
        user.session_version = (user.session_version or 1) + 1
    record("user.sign_out", user, by=user, now=now)


def end_all(user: User, *, now: datetime) -> None:
    """End every session of the account, on every device (the caller may start a new one)."""
    user.session_version = (user.session_version or 1) + 1
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                       .values(ended_at=now))
