"""Sign-in, sign-out and password change."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from inspect_app.auth import oidc, services
from inspect_app.auth.forms import ChangePasswordForm, LoginForm
from inspect_app.clock import utcnow
from inspect_app.extensions import db, limiter
from inspect_app.security.access import public, requires

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
            result = services.authenticate(
                form.email.data, form.password.data, now=utcnow(),
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            )
            db.session.commit()
            if result.user is not None:
                login_user(result.user)
                if result.user.must_change_password:
                    flash("Choose your own password before you continue.", "info")
                    return redirect(url_for("auth.password"))
                return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
            flash(result.message, "error")
            status = 401 if "incorrect" in result.message else 429
        else:
            status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@requires()
def logout():
    provider_sign_out = oidc.end_session_url() if session.get(oidc.ID_TOKEN_KEY) else None
    logout_user()
    session.clear()
    if provider_sign_out:
        return render_template("auth/signed_out.html", provider_sign_out=provider_sign_out)
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires()
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current=form.current.data, new=form.new.data,
                                     by=current_user, now=utcnow())
        except services.AccountError as exc:
            db.session.rollback()
            form.new.errors = list(form.new.errors) + [str(exc)]
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the session version changed; keep this session signed in
            flash("Your password has been changed.", "success")
            return redirect(url_for("home.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.before_app_request
def _force_password_change():
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in {"auth.password", "auth.logout", "static", "home.healthz"}
            and not (request.endpoint or "").startswith("pwa.")):
        return redirect(url_for("auth.password"))
    return None
