"""Sign-in, sign-out and password change."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from inspect_app.audit.services import record
from inspect_app.auth import devices, oidc, services, sessions
from inspect_app.auth.forms import ChangePasswordForm, LoginForm, SignOutEverywhereForm
from inspect_app.clock import utcnow
from inspect_app.extensions import limiter
from inspect_app.security.access import EVERYONE, public, requires
from inspect_app.transaction import checkpoint, keep, refuse

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_key() -> str:
    return "login:" + services.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_RATE_PER_ADDRESS", "30/minute"), methods=["POST"])
@limiter.limit(lambda: current_app.config.get("LOGIN_RATE_PER_ACCOUNT", "10/minute"), methods=["POST"],
               key_func=_login_key)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and not oidc.password_allowed(form.email.data):
            flash("Sign in with your trust account: passwords are switched off for this service.", "error")
            status = 403
        elif form.validate_on_submit():
            email = services.normalise_email(form.email.data)
            result = services.authenticate(
                email, form.password.data, now=utcnow(),
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
                source=devices.source(email),
            )
            if result.user is not None:
                remember = bool(form.remember.data)
                sessions.start(result.user, now=utcnow(), remember=remember)  # committed before the cookie goes
                _fresh_csrf_token()
                login_user(result.user, remember=remember,
                           duration=timedelta(hours=current_app.config["SESSION_HOURS"]))
                response = redirect(url_for("auth.password") if result.user.must_change_password
                                    else _safe_next(request.args.get("next")) or url_for("home.index"))
                if result.user.must_change_password:
                    flash("Choose your own password before you continue.", "info")
                devices.remember(response, email)
                return response
            keep()  # the failed attempt counts towards the lock-out, though the answer is a 401/429
            flash(result.message, "error")
            status = 401 if "incorrect" in result.message else 429
        else:
            status = 400
    return render_template("auth/login.html", form=form), status


def _fresh_csrf_token() -> None:
    """A token seen before sign-in (on a shared device, by anyone) is not valid after it."""
    session.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    g.pop("csrf_token", None)


@bp.post("/logout")
@requires(*EVERYONE)
def logout():
    provider_sign_out = oidc.end_session_url() if session.get(oidc.ID_TOKEN_KEY) else None
    sessions.end(current_user._get_current_object(), now=utcnow())
    checkpoint()  # ended on the server before this device forgets it: a failure leaves it signed in to retry
    session.clear()  # the provider's id token and anything else this sign-in kept
    logout_user()  # after clear(): it marks the remember cookie for removal
    _fresh_csrf_token()
    if provider_sign_out:
        return render_template("auth/signed_out.html", provider_sign_out=provider_sign_out)
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


def _stay_signed_in(user) -> None:
    """After ending every session of the account, keep this one: a new session, same remember choice."""
    sessions.start(user, now=utcnow(), remember=bool(request.cookies.get(current_app.config.get(
        "REMEMBER_COOKIE_NAME", "remember_token"))))
    login_user(user, remember=sessions.is_remembered(user),
               duration=timedelta(hours=current_app.config["SESSION_HOURS"]))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(*EVERYONE)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, current=form.current.data, new=form.new.data, by=user, now=utcnow())
        except services.AccountError as exc:
            refuse()
            form.new.errors = list(form.new.errors) + [str(exc)]
        else:
            _stay_signed_in(user)  # every other session has ended with the old password
            flash("Your password has been changed. You are signed out everywhere else.", "success")
            return redirect(url_for("home.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form, everywhere_form=SignOutEverywhereForm()), status


@bp.post("/account/sign-out-everywhere")
@requires(*EVERYONE)
def sign_out_everywhere():
    if not SignOutEverywhereForm().validate_on_submit():
        abort(400, "The form has expired. Reload the page and try again.")
    user = current_user._get_current_object()
    sessions.end_all(user, now=utcnow())
    record("user.sign_out_everywhere", user, by=user, now=utcnow())
    _stay_signed_in(user)
    flash("You are signed out on every other device. This one stays signed in.", "success")
    return redirect(url_for("auth.password"))


@bp.before_app_request
def _force_password_change():
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in {"auth.password", "auth.logout", "static", "home.healthz"}
            and not (request.endpoint or "").startswith("pwa.")):
        return redirect(url_for("auth.password"))
    return None
