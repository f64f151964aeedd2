"""Each demo role signs in with a real browser and sees its own home page, at tablet and phone sizes."""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, axe_check, screenshot, sign_in

HOMES = [
    ("inspector@demo.nhs.test", "Inspections"),
    ("manager@demo.nhs.test", "My wards"),
    ("safety@demo.nhs.test", "Trust overview"),
    ("admin@demo.nhs.test", "Administration"),
]


def test_sign_in_page_is_accessible(page, live_server):
    page.goto(live_server.url + "/login")
    assert page.get_by_role("button", name="Sign in").is_visible()
    axe_check(page, context="sign-in page")
    screenshot(page, "login-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, context="sign-in page at 390 px")
    screenshot(page, "login-phone")


@pytest.mark.parametrize("email, heading", HOMES)
def test_each_role_signs_in_and_sees_its_home_page(page, live_server, email, heading):
    sign_in(page, live_server.url, email)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_role("button", name="Sign out").is_visible()
    axe_check(page, context=f"home page of {email}")
    role = email.split("@")[0]
    screenshot(page, f"home-{role}-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, context=f"home page of {email} at 390 px")
    screenshot(page, f"home-{role}-phone")
    assert page.js_errors == []


def test_wrong_password_shows_the_message(page, live_server):
    sign_in(page, live_server.url, "inspector@demo.nhs.test", "not-the-password")
    assert page.get_by_role("alert").inner_text() == "Email or password is incorrect."
