"""A clear page (or JSON) when a Flask-Limiter limit is hit, with a Retry-After header.

The sign-in limits themselves are declared on the login view (``auth/views.py``); this only
shapes the refusal so a nurse or estates officer knows what happened and how long to wait.
"""
from __future__ import annotations

import math
import time

from flask import Flask, make_response, request
from flask_limiter.errors import RateLimitExceeded

from inspect_app.errors import error_response
from inspect_app.extensions import limiter

SIGN_IN = ("Too many sign-in attempts from this device or for this account. For everyone's security, "
           "sign-in is paused: wait {wait} and try again. If you have forgotten your password, ask an "
           "administrator to reset it.")
OTHER = "Too many requests in a short time. Wait {wait} and try again."


def _retry_after_seconds() -> int:
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def _wait_text(seconds: int) -> str:
    return "a minute" if 45 <= seconds <= 60 else (f"{seconds} seconds" if seconds < 120
                                                     else f"{math.ceil(seconds / 60)} minutes")


def too_many_requests(exc: RateLimitExceeded):
    seconds = _retry_after_seconds()
    template = SIGN_IN if request.endpoint == "auth.login" else OTHER
    body, status = error_response(429, template.format(wait=_wait_text(seconds)), retry_after=seconds)
    response = make_response(body, status)
    response.headers["Retry-After"] = str(seconds)
    return response


def register_rate_limit_page(app: Flask) -> None:
    app.register_error_handler(RateLimitExceeded, too_many_requests)
