"""Absolute links that leave the app (QR labels, email): ``BASE_URL`` when set, otherwise the
address the request came in on (behind a proxy, with PROXY_FIX, the address the user typed).

Outside a request (a CLI digest run) there is no such address: ``BASE_URL`` is then needed, and
the admin page warns when it is unset in production.
"""
from __future__ import annotations

from flask import current_app, has_request_context, request

#: Used only outside a request when BASE_URL is unset (development CLI runs).
LAST_RESORT = "http://127.0.0.1:5000"


def base_url() -> str:
    configured = (current_app.config.get("BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return LAST_RESORT


def absolute(path: str) -> str:
    """``path`` (starting with /) as an absolute link, as described above."""
    return base_url() + path


def base_url_missing() -> bool:
    """True in production when BASE_URL is unset (links made outside a request would be wrong)."""
    return bool(current_app.config.get("IS_PRODUCTION")) and not (current_app.config.get("BASE_URL") or "").strip()
