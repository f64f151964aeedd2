"""Sign-in, lock-out, sign-out, session cookie and passwords."""
from __future__ import annotations

import pytest

from inspect_app.auth.services import BAD_CREDENTIALS

DEMO = ["inspector@demo.nhs.test", "manager@demo.nhs.test", "safety@demo.nhs.test", "admin@demo.nhs.test"]


def test_login_page_has_labelled_fields_and_button(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label class="field__label" for="email">Email</label>' in html
    assert '<label class="field__label" for="password">Password</label>' in html
    assert ">Sign in</button>" in html


@pytest.mark.parametrize("email", DEMO)
def test_each_demo_account_signs_in_and_sees_its_home(demo, auth, email):
    response = auth.login(email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = auth.client.get("/")
    assert home.status_code == 200
    assert "Sign out" in home.get_data(as_text=True)


def test_unknown_email_and_wrong_password_get_the_same_message(demo, auth):
    wrong = auth.login("inspector@demo.nhs.test", "not-the-password")
    unknown = auth.login("nobody@demo.nhs.test", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert BAD_CREDENTIALS in wrong.get_data(as_text=True)
    assert BAD_CREDENTIALS in unknown.get_data(as_text=True)


@pytest.mark.parametrize("email", ["inspector@demo.nhs.test", "ghost@demo.nhs.test"])
def test_repeated_failures_lock_the_email_with_a_clear_message(demo, auth, email):
    for _ in range(4):
        assert auth.login(email, "wrong-password").status_code == 401
    locked = auth.login(email, "wrong-password")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.get_data(as_text=True)
    # even the right password is refused while locked
    if email.startswith("inspector"):
        assert auth.login(email).status_code == 429


def test_session_cookie_is_httponly_and_lax(demo, auth):
    response = auth.login("admin@demo.nhs.test")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_out_ends_the_session(demo, auth):
    auth.login("admin@demo.nhs.test")
    assert auth.logout().status_code == 302
    assert auth.client.get("/").headers["Location"].startswith("/login")


def test_sign_out_needs_csrf(demo, auth):
    auth.login("admin@demo.nhs.test")
    assert auth.client.post("/logout").status_code == 400
    assert auth.client.get("/").status_code == 200


def test_next_parameter_cannot_redirect_off_site(demo, auth):
    token = auth.token()
    response = auth.client.post("/login?next=https://evil.example/", data={
        "email": "admin@demo.nhs.test", "password": "ward-demo-pass", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_password_change_applies_policy(demo, auth):
    auth.login("inspector@demo.nhs.test")
    short = auth.post("/account/password", {"current": "ward-demo-pass", "new": "short", "confirm": "short"},
                      page="/account/password")
    assert short.status_code == 400 and "at least 12" in short.get_data(as_text=True)
    common = auth.post("/account/password", {"current": "ward-demo-pass", "new": "password1234",
                                             "confirm": "password1234"}, page="/account/password")
    assert common.status_code == 400 and "too common" in common.get_data(as_text=True)
    ok = auth.post("/account/password", {"current": "ward-demo-pass", "new": "lantern-harbour-quiet-7",
                                         "confirm": "lantern-harbour-quiet-7"}, page="/account/password")
    assert ok.status_code == 302
    auth.logout()
    assert auth.login("inspector@demo.nhs.test").status_code == 401
    assert auth.login("inspector@demo.nhs.test", "lantern-harbour-quiet-7").status_code == 302


def test_admin_reset_forces_a_new_password_and_ends_other_sessions(demo, app, auth):
    victim = app.test_client()
    from tests.conftest import Auth

    victim_auth = Auth(victim)
    victim_auth.login("inspector@demo.nhs.test")
    assert victim.get("/").status_code == 200
    auth.login("admin@demo.nhs.test")
    uid = demo["users"]["inspector"]
    response = auth.post(f"/admin/users/{uid}/reset-password", {"password": "temporary-pass-9182"},
                         page=f"/admin/users/{uid}")
    assert response.status_code == 302
    assert victim.get("/").status_code == 302  # signed out everywhere
    victim_auth.login("inspector@demo.nhs.test", "temporary-pass-9182")
    assert victim.get("/").headers["Location"] == "/account/password"


def test_deactivated_user_cannot_sign_in(demo, auth, make_user):
    user = make_user("inspector", email="leaver@example.test")
    auth.login("admin@demo.nhs.test")
    response = auth.post(f"/admin/users/{user.id}", {"name": user.name, "role": "inspector"},
                         page=f"/admin/users/{user.id}")
    assert response.status_code == 302
    auth.logout()
    assert auth.login("leaver@example.test", "a-long-test-password-42").status_code == 401
