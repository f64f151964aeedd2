"""Flask-Login wiring: user loading, and JSON 401s for the API instead of redirects.

A redirect to the sign-in page would look like a 200 to the offline queue's ``fetch`` and
could make it drop an unsent item (tech-notes §2.11), so ``/api/`` answers 401 JSON.
"""
from __future__ import annotations

from flask import Flask, flash, g, jsonify, redirect, request, url_for
from flask_login import LoginManager
from sqlalchemy import and_, bindparam, select

from inspect_app.auth import sessions
from inspect_app.auth.models import User, UserSession
from inspect_app.clock import utcnow
from inspect_app.estates import scope
from inspect_app.extensions import db


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @app.before_request
    def _fresh_globals_per_request() -> None:
        # A request normally gets a fresh ``g``. When an outer app context is already pushed
        # (tests, CLI) ``g`` is shared between requests, so forget what an earlier request cached
        # there (Flask-Login's user, Flask-WTF's CSRF token).
        for key in list(vars(g)):
            delattr(g, key)

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            raw_id, version, *token = user_id.split(":", 2)
            user, row = _user_and_session(int(raw_id), token[0] if token else None)
        except (ValueError, TypeError):
            return None
        if user is None or not user.active or str(user.session_version) != version:
            return None
        # Ended on the server (signed out) or past SESSION_HOURS: a copied cookie gets nothing.
        if not sessions.check(user, token[0] if token else None, now=utcnow(), hours=app.config["SESSION_HOURS"],
                              row=row):
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return jsonify(error="unauthorized", message="Your session has ended. Sign in again."), 401
        if request.method == "GET":
            flash("Please sign in to continue.", "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        flash("Your session has ended. Sign in again; nothing was saved from that last request.", "warning")
        return redirect(url_for("auth.login"))


def _user_and_session(user_id: int, token: str | None) -> tuple[User | None, UserSession | None]:
    """The account, this device's session row (None: no such session) and the wards the account
    is scoped to, in one statement: every signed-in request needs them."""
    row = db.session.execute(_USER_AND_SESSION, {"user_id": user_id, "token": token or ""}).first()
    if row is None:
        return None, None
    scope.remember_ward_ids(row[0], row[2], row[3])  # a ward manager's wards, read in the same statement
    return row[0], row[1]


_USER_AND_SESSION = (select(User, UserSession, *scope.ward_ids_columns(User.id))
                     .outerjoin(UserSession, and_(UserSession.token == bindparam("token"), UserSession.user_id == User.id))
                     .where(User.id == bindparam("user_id")))
