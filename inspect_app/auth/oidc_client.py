"""The Authlib side of single sign-on: imported by the app factory only when OIDC is configured.

Authlib brings joserfc, cryptography and requests: 17 MB in every worker of a trust that signs in
with passwords only. The routes (``oidc_views``) and sign-out (``oidc.end_session_url``) reach the
provider through the :class:`Provider` that :func:`init_oidc` puts in ``app.extensions``.
"""
from __future__ import annotations

import secrets

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, url_for

from inspect_app.auth.oidc import EXTENSION, ProviderError

oauth = OAuth()


class Provider:
    """What the sign-in routes and sign-out ask of the trust's provider."""

    @staticmethod
    def redirect(**extra):
        """Send the browser to the provider (code flow with PKCE and a nonce)."""
        return oauth.trust.authorize_redirect(url_for("oidc.callback", _external=True),
                                              nonce=secrets.token_urlsafe(16), **extra)

    @staticmethod
    def token() -> dict:
        """The token for the callback's code (claims under ``userinfo``); :class:`ProviderError` if refused."""
        try:
            return oauth.trust.authorize_access_token()
        except OAuthError as exc:
            raise ProviderError(exc.error) from exc

    @staticmethod
    def end_session_endpoint() -> str | None:
        return oauth.trust.load_server_metadata().get("end_session_endpoint")


def init_oidc(app: Flask) -> None:
    """Register the provider with Authlib (the factory calls this only when OIDC is configured)."""
    oauth.init_app(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    oauth.register("trust", client_id=app.config["OIDC_CLIENT_ID"],
                   client_secret=app.config.get("OIDC_CLIENT_SECRET") or None,
                   server_metadata_url=f"{issuer}/.well-known/openid-configuration",
                   client_kwargs={"scope": app.config.get("OIDC_SCOPES", "openid email profile"),
                                  "code_challenge_method": "S256", "timeout": 10})
    app.extensions[EXTENSION] = Provider()
    app.jinja_env.globals["oidc_enabled"] = True
    app.jinja_env.globals["oidc_label"] = app.config.get("OIDC_LABEL") or "Sign in with your trust account"
