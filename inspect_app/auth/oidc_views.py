"""OpenID Connect routes: start sign-in, the provider's callback, and re-authentication for sign-off.

Settings and helpers are in :mod:`inspect_app.auth.oidc`; the role and ward mapping in
:mod:`inspect_app.auth.oidc_map`.
"""
from __future__ import annotations

import time
from datetime import timedelta

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from inspect_app.audit.services import record
from inspect_app.auth import oidc_map, services, sessions
from inspect_app.auth.oidc import (
    FRESH_AUTH_KEY,
    ID_TOKEN_KEY,
    NOT_KNOWN,
    REAUTH_NEXT_KEY,
    ProviderError,
    enabled,
    provider,
)
from inspect_app.auth.views import _safe_next
from inspect_app.clock import utcnow
from inspect_app.security.access import public, requires
from inspect_app.transaction import keep

bp = Blueprint("oidc", __name__)


def _redirect_to_provider(**extra):
    return provider().redirect(**extra)


@bp.get("/login/oidc")
@public
def start():
    if not enabled():
        return redirect(url_for("auth.login"))
    return _redirect_to_provider()


@bp.get("/login/oidc/reauth")
@requires()
def reauth():
    """Authenticate again at the provider (sign-off); returns to ``next`` with a fresh time recorded."""
    if not enabled():
        return redirect(url_for("home.index"))

    session[REAUTH_NEXT_KEY] = _safe_next(request.args.get("next")) or url_for("home.index")
    return _redirect_to_provider(prompt="login", max_age=0)


def _refuse(message: str, status: int = 403):
    return render_template("auth/oidc_refused.html", message=message), status


@bp.get("/login/oidc/callback")
@public
def callback():
    if not enabled():
        return redirect(url_for("auth.login"))
    try:
        token = provider().token()
    except ProviderError as exc:
        return _refuse(f"Sign-in with your trust account did not complete ({exc.error}). Try again.", 400)
    claims = dict(token.get("userinfo") or {})
    email = services.normalise_email(str(claims.get("email") or ""))
    if not email or claims.get("email_verified") is not True:
        return _refuse("Your trust account did not give a verified email address, so you cannot be signed in. "
                       "Ask your IT service desk.")
    now = utcnow()
    reauth_next = session.pop(REAUTH_NEXT_KEY, None)
    if reauth_next is not None and current_user.is_authenticated:
        if current_user.email != email:
            return _refuse("You confirmed as a different person than the one signed in; nothing was confirmed.")
        session[FRESH_AUTH_KEY] = time.time()
        session[ID_TOKEN_KEY] = token.get("id_token")
        return redirect(reauth_next)
    user = services.find_user(email)
    mapping = oidc_map.load(current_app.config.get("OIDC_ROLE_MAP"))
    if user is None:
        if current_app.config.get("OIDC_PROVISION", "none") != "inactive":
            return _refuse(NOT_KNOWN.format(email=email))
        user = services.provision_sso_account(email, claims, now=now)
        keep()  # the switched-off account is kept, though the answer is a refusal
        return _refuse("An account was created for you, switched off until an administrator gives you a role "
                       "and wards.")
    if not user.active:
        return _refuse("Your account is switched off. Ask an administrator.")
    granted = oidc_map.grant(mapping, claims)
    if granted is not None:
        oidc_map.apply(user, granted, now=now)
    user.last_login_at = now
    record("user.sign_in", user, by=user, now=now, new={"method": "oidc"})
    sessions.start(user, now=now)  # a server-side session row, ended by sign-out like a password sign-in's
    session.clear()  # a new session for the signed-in user (no fixation, no CSRF token from before)
    login_user(user, duration=timedelta(hours=current_app.config["SESSION_HOURS"]))
    session[ID_TOKEN_KEY] = token.get("id_token")
    session[FRESH_AUTH_KEY] = time.time()
    return redirect(url_for("home.index"))
