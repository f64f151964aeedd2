"""Sign-in rate limits (Flask-Limiter) per account and per address, with a clear 429 page."""
from __future__ import annotations

import pytest

from inspect_app.extensions import limiter
from tests.conftest import Auth


@pytest.fixture
def limited_app(demo, extra_app):
    """An app with the limiter on (tests normally run with it off), tight limits, fresh memory.

    Built after ``demo``: the limiter is one shared object, and the last app initialised decides
    whether it is on.
    """
    app = extra_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                    LOGIN_RATE_PER_ACCOUNT="3/minute", LOGIN_RATE_PER_ADDRESS="6/minute",
                    LOGIN_MAX_FAILURES=100)  # keep the lock-out out of the way: this is about the limiter
    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        limiter.reset()


def _attempt(client, email, address="192.0.2.10", password="wrong-password-123"):
    token = Auth(client).token("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_overrides={"REMOTE_ADDR": address})


def test_one_account_is_limited_whatever_the_address(limited_app):
    client = limited_app.test_client()
    for n in range(3):
        assert _attempt(client, "inspector@demo.nhs.test", address=f"192.0.2.{n + 1}").status_code == 401
    blocked = _attempt(client, "inspector@demo.nhs.test", address="192.0.2.99")
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "Too many sign-in attempts" in page and "wait" in page
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    # another account from the same address is unaffected
    assert _attempt(client, "manager@demo.nhs.test", address="192.0.2.99").status_code == 401


def test_one_address_is_limited_across_accounts(limited_app):
    client = limited_app.test_client()
    for n in range(6):
        assert _attempt(client, f"nobody{n}@demo.nhs.test").status_code == 401
    assert _attempt(client, "someone-else@demo.nhs.test").status_code == 429
    # a different address can still sign in
    assert _attempt(client, "admin@demo.nhs.test", address="198.51.100.7",
                    password="ward-demo-pass").status_code == 302


def test_the_limit_applies_to_sign_in_posts_only(limited_app):
    client = limited_app.test_client()
    for _ in range(10):
        assert client.get("/login").status_code == 200
