"""Single sign-on in a real browser against a real OpenID provider on loopback (oidc-provider-mock):
the sign-in page offers the trust account, the provider signs the person in, sign-out offers the
provider's sign-out, and an unknown email gets a clear refusal page. axe on each of our pages."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from inspect_app.clock import utcnow
from inspect_app.demo.seed import seed_demo
from inspect_app.extensions import db
from tests.browser.conftest import PHONE, LiveServer, axe_check, screenshot

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from cluster import OidcProvider  # noqa: E402


@pytest.fixture
def provider(tmp_path):
    service = OidcProvider(tmp_path)
    try:
        yield service.start()
    finally:
        service.stop()


@pytest.fixture
def sso_server(extra_app, provider, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the provider is plain HTTP on loopback
    app = extra_app(OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID="ward-safety-inspect", OIDC_CLIENT_SECRET="s3cret")
    with app.app_context():
        seed_demo(now=utcnow())
        db.session.commit()
        db.session.remove()
    server = LiveServer(app).start()
    yield server
    server.stop()


def _through_provider(page, base: str, sub: str) -> None:
    page.goto(base + "/login")
    page.get_by_role("link", name="Sign in with your trust account").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state("domcontentloaded")


def test_sign_in_and_out_with_the_trust_account(page, sso_server, provider):
    provider.set_user("sam", {"email": "inspector@demo.nhs.test", "email_verified": True})
    provider.set_user("stranger", {"email": "stranger@elsewhere.test", "email_verified": True})
    page.goto(sso_server.url + "/login")
    axe_check(page, context="sign-in page with single sign-on")
    screenshot(page, "sso-login-tablet")
    _through_provider(page, sso_server.url, "sam")
    assert page.get_by_role("heading", level=1).inner_text() == "Inspections"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("domcontentloaded")
    link = page.get_by_role("link", name="Sign out of your trust account")
    assert link.get_attribute("href").startswith(provider.issuer + "/oauth2/end_session")
    axe_check(page, context="signed-out page")
    screenshot(page, "sso-signed-out-tablet")
    _through_provider(page, sso_server.url, "stranger")
    assert "has no account in Ward Safety Inspect" in page.inner_text("main")
    page.set_viewport_size(PHONE)
    axe_check(page, context="sign-in refused page at 390 px")
    screenshot(page, "sso-refused-phone")
    assert page.js_errors == []
