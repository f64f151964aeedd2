"""Sign-in memory is bounded: Argon2id at the OWASP minimum, older hashes upgraded at sign-in,
and a bounded number of hashes per worker (the rest get 429 with Retry-After)."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from inspect_app.auth import passwords
from inspect_app.auth.models import LoginThrottle, User
from inspect_app.extensions import db

EMAIL = "inspector@demo.nhs.test"


def _user() -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == EMAIL))


@pytest.fixture
def real_hasher(monkeypatch):
    """The production parameters (the suite's conftest swaps in a cheap hasher for speed)."""
    monkeypatch.setattr(passwords, "_hasher", passwords.make_hasher())


def test_new_hashes_use_argon2id_at_the_owasp_minimum(real_hasher):
    assert passwords.hash_password("a long enough password").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_an_older_costlier_hash_is_upgraded_at_the_next_sign_in(demo, auth, real_hasher):
    user = _user()
    user.password_hash = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash("ward-demo-pass")
    db.session.commit()
    assert auth.login(EMAIL).status_code == 302
    upgraded = _user().password_hash
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    auth.logout()
    assert auth.login(EMAIL).status_code == 302  # the upgraded hash still holds the same password
    assert _user().password_hash == upgraded  # and is not re-made at every sign-in


def test_sign_in_waits_for_a_hashing_slot_then_gets_429_with_retry_after(demo, auth, monkeypatch):
    monkeypatch.setattr(passwords, "HASH_WAIT_SECONDS", 0.05)
    token = auth.token("/login")
    held = [passwords._slots.acquire(timeout=1) for _ in range(passwords.HASH_SLOTS)]
    try:
        assert all(held)
        busy = auth.client.post("/login", data={"email": EMAIL, "password": "ward-demo-pass", "csrf_token": token})
    finally:
        for _ in held:
            passwords._slots.release()
    assert busy.status_code == 429
    assert busy.headers["Retry-After"] == str(passwords.RETRY_AFTER_SECONDS)
    assert "Too many people are signing in at once" in busy.get_data(as_text=True)
    assert db.session.get(LoginThrottle, EMAIL) is None or not db.session.get(LoginThrottle, EMAIL).failures
    assert auth.login(EMAIL).status_code == 302  # slots free again: sign-in works
