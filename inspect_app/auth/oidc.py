"""Single sign-on with the trust's OpenID Connect provider (Authlib; code flow with PKCE).

Configured by ``OIDC_ISSUER``, ``OIDC_CLIENT_ID`` and ``OIDC_CLIENT_SECRET``; without them none
of this is active and the sign-in page shows only the password form.

- The account is found by the provider's *verified* email (``email_verified`` true) and must
  exist already (an admin created it). ``OIDC_PROVISION=inactive`` instead creates an account
  that is switched off with no wards, for an admin to give a role and switch on.
- ``OIDC_ROLE_MAP`` names a JSON file mapping group or app-role claim values to a role and wards
  (``inspect_app.auth.oidc_map``); mapped users get that role at each sign-in.
- ``LOCAL_PASSWORDS=off`` refuses password sign-in for everyone but ``BREAK_GLASS_EMAILS``.
Routes: ``oidc_views.py``. Sign-out ends the app session and offers the provider's end-session URL.
- Authlib itself is imported only when OIDC is configured: the app factory then imports
  ``oidc_client`` (Authlib, joserfc, cryptography and requests add 17 MB to every worker), which
  puts a :class:`Provider`-like object in ``app.extensions`` for the routes and sign-out.
- ``/login/oidc/reauth`` sends the user back to the provider with ``prompt=login`` and
  ``max_age=0`` and records the time of that fresh authentication in the session
  (:func:`fresh_auth_at`), for sign-off's "confirm it is you" step.
"""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Flask, current_app, session, url_for

from inspect_app.auth import services
from inspect_app.domain.workflow import Role

EXTENSION = "wsi.oidc"  # app.extensions key of the provider client (oidc_client.Provider)
FRESH_AUTH_KEY = "oidc_fresh_auth_at"
ID_TOKEN_KEY = "oidc_id_token"
REAUTH_NEXT_KEY = "oidc_reauth_next"
NOT_KNOWN = ("Your trust account ({email}) has no account in Ward Safety Inspect. Ask an administrator "
             "to create one for this email address.")


def enabled(app: Flask | None = None) -> bool:
    config = (app or current_app).config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


class ProviderError(Exception):
    """The provider did not complete a sign-in (``error`` is its OAuth error code)."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


def provider():
    """The configured provider's client (``oidc_client.Provider``); only when :func:`enabled`."""
    return current_app.extensions[EXTENSION]


def password_allowed(email: str) -> bool:
    """Whether password sign-in may be tried for ``email`` (``LOCAL_PASSWORDS=off`` keeps only break-glass)."""
    if current_app.config.get("LOCAL_PASSWORDS", True):
        return True
    allowed = {services.normalise_email(e) for e in current_app.config.get("BREAK_GLASS_EMAILS", "").split(",")}
    if services.normalise_email(email) not in allowed - {""}:
        return False
    user = services.find_user(email)  # break-glass is for administrators only
    return user is None or user.role == Role.ADMIN.value  # unknown: the usual "incorrect" answer follows


def fresh_auth_at() -> float | None:
    """When this session last authenticated afresh at the provider (POSIX time), or None.

    Sign-off may accept this instead of a password re-entry when it is recent enough.
    """
    value = session.get(FRESH_AUTH_KEY)
    return float(value) if value is not None else None


def fresh_auth_time() -> datetime | None:
    """:func:`fresh_auth_at` as a naive UTC datetime (how the services compare times), or None."""
    value = fresh_auth_at()
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None) if value is not None else None


def end_session_url() -> str | None:
    """The provider's end-session URL for this session, if the provider has one."""
    if not enabled():
        return None
    try:
        endpoint = provider().end_session_endpoint()
    except Exception:  # noqa: BLE001 - a provider that is down must not stop a sign-out
        return None
    if not endpoint:
        return None
    params = {"client_id": current_app.config["OIDC_CLIENT_ID"],
              "post_logout_redirect_uri": url_for("auth.login", _external=True)}
    return f"{endpoint}?{urlencode(params)}"
