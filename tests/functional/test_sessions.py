"""Sessions end on the server: sign-out, password change, sign out everywhere, an admin's reset or
deactivation; a copied cookie gets nothing afterwards. "Keep me signed in" only when ticked; the
CSRF token changes at sign-in; sign-in events are audited; a stranger cannot lock a colleague out."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db
from tests.conftest import Auth

INSPECTOR = "inspector@demo.nhs.test"


def _copy_of(app, client):
    """A second client holding a copy of ``client``'s session cookie (as a thief or a shared tablet would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _locked_out(thief) -> bool:
    me = thief.get("/api/v1/me")
    page = thief.get("/")
    return me.status_code == 401 and page.status_code == 302


def test_a_cookie_copied_before_sign_out_gets_nothing_after_it(app, demo, auth, offline_walk):
    auth.login(INSPECTOR)
    thief = _copy_of(app, auth.client)
    assert thief.get("/api/v1/me").status_code == 200
    auth.logout()
    assert _locked_out(thief)
    assert thief.get("/photos/00000000-0000-0000-0000-000000000000/large.jpg").status_code in (302, 401)


def test_sign_out_on_one_device_leaves_the_others_signed_in(app, demo, auth):
    tablet = Auth(app.test_client())
    tablet.login(INSPECTOR)
    auth.login(INSPECTOR)
    auth.logout()
    assert tablet.client.get("/api/v1/me").status_code == 200


def test_password_change_and_sign_out_everywhere_end_the_other_sessions_only(app, demo, auth):
    auth.login(INSPECTOR)
    other = _copy_of(app, auth.client)
    response = auth.post("/account/sign-out-everywhere", page="/account/password")
    assert response.status_code == 302
    assert _locked_out(other)
    assert auth.client.get("/api/v1/me").status_code == 200  # this one stays signed in
    other = _copy_of(app, auth.client)
    auth.post("/account/password", {"current": "ward-demo-pass", "new": "a quiet ward at dawn 7",
                                    "confirm": "a quiet ward at dawn 7"}, page="/account/password")
    assert _locked_out(other)
    assert auth.client.get("/api/v1/me").status_code == 200


def test_deactivation_ends_the_accounts_sessions(app, demo, auth):
    victim = Auth(app.test_client())
    victim.login(INSPECTOR)
    auth.login("admin@demo.nhs.test")
    uid = demo["users"]["inspector"]
    page = f"/admin/users/{uid}"
    response = auth.post(page, {"name": "Sam Okafor", "role": "inspector"}, page=page)  # active unticked
    assert response.status_code in (302, 303)
    assert _locked_out(victim.client)


def test_csrf_token_changes_at_sign_in(demo, auth):
    before = auth.token("/login")
    auth.login(INSPECTOR)
    after = auth.token("/")
    assert before != after
    # the token from before sign-in no longer works for a write
    response = auth.client.post("/logout", data={"csrf_token": before})
    assert response.status_code == 400


def test_keep_me_signed_in_only_when_ticked(demo, auth, app):
    plain = auth.login(INSPECTOR)
    assert "remember_token" not in " ".join(plain.headers.getlist("Set-Cookie"))
    other = Auth(app.test_client())
    token = other.token("/login")
    kept = other.client.post("/login", data={"email": INSPECTOR, "password": "ward-demo-pass", "remember": "y",
                                             "csrf_token": token})
    cookies = " ".join(kept.headers.getlist("Set-Cookie"))
    assert "remember_token=" in cookies and "Expires=" in cookies
    # A browser restart: the session cookie is gone, the remember cookie brings the session back...
    remembered = other.client.get_cookie("remember_token").value
    restarted = app.test_client()
    restarted.set_cookie("remember_token", remembered)
    assert restarted.get("/api/v1/me").status_code == 200
    # ...until sign-out, which ends it on the server too (a copy of the cookie is refused).
    other.logout()
    copy = app.test_client()
    copy.set_cookie("remember_token", remembered)
    assert copy.get("/api/v1/me").status_code == 401


def test_sign_in_failures_lock_outs_and_sign_out_are_audited_without_passwords(demo, auth):
    for _ in range(5):
        auth.login(INSPECTOR, "wrong-password-typed")
    auth.login("admin@demo.nhs.test")
    auth.logout()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("user."))).all()
    actions = [e.action for e in events]
    assert actions.count("user.sign_in_failed") == 5 and "user.lock_out" in actions
    assert "user.sign_in" in actions and "user.sign_out" in actions
    assert not any("wrong-password-typed" in str(e.new) for e in events)
    auth.login("admin@demo.nhs.test")
    csv = auth.client.get("/audit/export.csv?verb=user").get_data(as_text=True)
    assert "user.lock_out" in csv and "user.sign_in_failed" in csv and "wrong-password-typed" not in csv


def test_a_stranger_cannot_lock_a_colleague_out_of_their_own_device(app, demo, auth):
    auth.login(INSPECTOR)  # the inspector's own tablet has signed in before
    auth.logout()
    stranger = Auth(app.test_client())
    for _ in range(6):
        stranger.login(INSPECTOR, f"guess-{uuid.uuid4()}")
    assert stranger.login(INSPECTOR).status_code == 429  # the stranger's device is locked...
    assert auth.login(INSPECTOR).status_code == 302  # ...the owner's is not
