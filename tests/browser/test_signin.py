"""Each demo role signs in with a real browser and sees its own home page, at tablet and phone sizes."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, axe_check, screenshot, sign_in

HOMES = [
    ("inspector@demo.nhs.test", "Inspections"),
    ("manager@demo.nhs.test", "My wards"),
    ("safety@demo.nhs.test", "Trust overview"),
    ("admin@demo.nhs.test", "Administration"),
]


def test_sign_in_page_is_accessible(page, live_server):
    page.goto(live_server.url + "/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    axe_check(page, context="sign-in page")
    screenshot(page, "login-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, context="sign-in page at 390 px")
    screenshot(page, "login-phone")


@pytest.mark.parametrize("email, heading", HOMES)
def test_each_role_signs_in_and_sees_its_home_page(page, live_server, email, heading):
    sign_in(page, live_server.url, email)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
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


def test_kept_signed_in_across_a_browser_restart_until_sign_out_everywhere(browser, live_server):
    """Ticked "keep me signed in": a new browser with the same cookies (a restart) is still signed
    in; "sign out everywhere" on the password page ends that other session on the server."""
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("inspector@demo.nhs.test")
    page.get_by_label("Password").fill("ward-demo-pass")
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("domcontentloaded")
    kept = [c for c in context.cookies() if c["name"] == "remember_token"]
    assert kept and kept[0]["expires"] > 0
    restarted = browser.new_context(viewport={"width": 390, "height": 844})
    restarted.add_cookies(kept)  # the session cookie died with the browser; the remember cookie did not
    tablet = restarted.new_page()
    tablet.goto(live_server.url + "/")
    expect(tablet.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(live_server.url + "/account/password")
    axe_check(page, context="password page")
    screenshot(page, "password-tablet")
    page.get_by_role("button", name="Sign out everywhere else").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()  # this browser stays signed in
    tablet.goto(live_server.url + "/")
    assert "/login" in tablet.url
    tablet.goto(live_server.url + "/login")
    screenshot(tablet, "login-after-sign-out-everywhere-phone")
    restarted.close()
    context.close()
