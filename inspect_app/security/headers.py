"""Security headers on every response: CSP without unsafe-inline, framing, sniffing, referrer,
permissions, HSTS over HTTPS, and no caching of signed-in pages.

Registered by ``create_app`` through :func:`register_security`. The policy allows scripts and
styles only from this origin, so templates carry no inline ``<script>``, ``style=`` or ``on*=``
(a test scans the templates).
"""
from __future__ import annotations

from flask import Flask, Response, g, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from inspect_app.audit import guard
from inspect_app.security.backstop import register_backstop
from inspect_app.security.ids import BoundedIntConverter
from inspect_app.security.ratelimit import register_rate_limit_page
from inspect_app.security.request import SaneRequest

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",  # blob:/data: for photo previews made in the browser before upload
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
])

# The camera is the app's own business (photographing ligature points); nothing else is needed.
PERMISSIONS_POLICY = ", ".join([
    "camera=(self)",
    "geolocation=()",
    "microphone=()",
    "payment=()",
    "usb=()",
    "serial=()",
    "bluetooth=()",
    "midi=()",
    "magnetometer=()",
    "gyroscope=()",
    "accelerometer=()",
    "display-capture=()",
    "interest-cohort=()",
])

HSTS = "max-age=31536000; includeSubDomains"

STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _signed_in() -> bool:
    """Whether the request was answered for a signed-in account, from the account Flask-Login
    loaded for it (checked active then) without reading its attributes: the request's commit has
    expired them, and reading ``is_authenticated`` again cost a SELECT on every page."""
    if "_login_user" not in g:
        return current_user.is_authenticated
    user = g._login_user
    return user is not None and not user.is_anonymous


def add_security_headers(response: Response) -> Response:
    for name, value in STATIC_HEADERS.items():
        response.headers[name] = value
    if request.is_secure:  # over plain HTTP the header is ignored by browsers and only confuses
        response.headers["Strict-Transport-Security"] = HSTS
    if (response.mimetype == "text/html" and "Cache-Control" not in response.headers
            and _signed_in()):
        # Signed-in pages show sensitive evidence: keep them out of shared and back-button caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def register_security(app: Flask) -> None:
    """Add the header hook, bounded integer URLs, sane form parsing, the append-only audit guard,
    the rate-limit page and the out-of-range backstop.

    Behind a reverse proxy (``PROXY_FIX``) its X-Forwarded-* headers are trusted for one hop.

    Without ``PROXY_FIX`` a client could send ``X-Forwarded-Proto: https`` itself, so the
    forwarded headers are only believed when the operator says a proxy sets them.
    """
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.after_request(add_security_headers)
    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = SaneRequest
    guard.install()
    register_rate_limit_page(app)
    register_backstop(app)
