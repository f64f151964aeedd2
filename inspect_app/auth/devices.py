"""Known devices: a signed cookie, given at a successful sign-in, saying which emails have signed
in on this browser before. Sign-in lock-out counts failures per email *and* device (or network
address for a device never used before), so a stranger cannot lock a colleague out of the
colleague's own tablet by typing wrong passwords for their email elsewhere.

The cookie holds a random token per email (keyed by a hash of the email, so the cookie does not
list who uses the device), at most :data:`MAX_EMAILS` of them.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "wsi_device"
MAX_EMAILS = 8
MAX_AGE = 400 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="wsi-known-device")


def _key(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:16]


def _known() -> dict[str, str]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def source(email: str) -> str:
    """``"device:<token>"`` when this browser has signed in as ``email`` before, else ``"address:<ip>"``."""
    token = _known().get(_key(email))
    return f"device:{token}" if token else f"address:{request.remote_addr or 'unknown'}"


def remember(response, email: str) -> None:
    """Mark this browser as one ``email`` signs in on (after a successful sign-in)."""
    known = _known()
    known.setdefault(_key(email), secrets.token_urlsafe(12))
    known = dict(list(known.items())[-MAX_EMAILS:])
    response.set_cookie(COOKIE, _serializer().dumps(known), max_age=MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", True))
