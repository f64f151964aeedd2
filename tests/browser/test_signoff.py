"""The two-signature sign-off of a full annual assessment, in the browser at tablet size: the lead
inspector acknowledges each room flagged for a second look and re-enters their password; then the
ward manager, signed in with their own account, gives the clinical sign-off."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.estates.models import Ward
from inspect_app.extensions import db
from inspect_app.inspections import answering
from inspect_app.inspections import services as inspections
from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in


def _answered_assessment(app) -> int:
    """An annual assessment of Larch Ward, every room answered in seconds (so each is flagged)."""
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.role == "inspector"))
        ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
        inspection = inspections.start_inspection(ward=ward, inspection_type="annual",
                                                  team=["Sam Okafor", "Priya Raman"], by=inspector, now=utcnow())
        for room in ward.active_rooms:
            for item in inspections.room_items(inspection, room):
                value = "pass" if item.is_check else "compliant"
                answering.record_answer(inspection=inspection, room=room, item=item, value=value,
                                        by=inspector, now=utcnow())
        db.session.commit()
        inspection_id = inspection.id
        db.session.remove()
    return inspection_id


def _sign(page, *, as_capacity: str) -> None:
    flags = page.get_by_role("checkbox", name="I have looked again at")
    assert flags.count() > 0
    for index in range(flags.count()):
        flags.nth(index).check()
    page.get_by_label("I confirm the statement above").check()
    page.get_by_label("Your password").fill("ward-demo-pass")
    page.get_by_role("button", name=f"Sign as {as_capacity}").click()
    page.wait_for_load_state("domcontentloaded")


def test_lead_inspector_then_ward_manager_sign_an_annual_assessment(app, live_server, browser, page):
    inspection_id = _answered_assessment(app)
    sign_off = f"{live_server.url}/inspections/{inspection_id}/sign-off"
    sign_in(page, live_server.url, "inspector@demo.nhs.test")
    page.goto(sign_off)
    assert "You are signing as Sam Okafor" in page.get_by_role("main").inner_text()
    expect(page.get_by_role("heading", name="Needs a second look")).to_be_visible()
    assert page.get_by_label("Your full name").count() == 0  # no typed name
    axe_check(page, context="lead sign-off")
    screenshot(page, "signoff-lead-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, context="lead sign-off at 390 px")
    screenshot(page, "signoff-lead-phone")
    page.set_viewport_size(TABLET)

    page.get_by_label("I confirm the statement above").check()  # flags not acknowledged: refused, nothing signed
    page.get_by_label("Your password").fill("ward-demo-pass")
    page.get_by_role("button", name="Sign as lead inspector (estates)").click()
    assert "Acknowledge each room that needs a second look" in page.get_by_role("alert").inner_text()

    _sign(page, as_capacity="lead inspector (estates)")
    assert "awaiting the clinical sign-off" in page.get_by_role("main").inner_text()
    axe_check(page, context="overview awaiting clinical sign-off")
    screenshot(page, "signoff-awaiting-clinical-tablet")

    manager_context = browser.new_context(viewport=TABLET)
    manager = manager_context.new_page()
    try:
        sign_in(manager, live_server.url, "manager@demo.nhs.test")
        manager.goto(sign_off)
        assert "You are signing as Priya Raman" in manager.get_by_role("main").inner_text()
        axe_check(manager, context="clinical sign-off")
        screenshot(manager, "signoff-clinical-tablet")
        _sign(manager, as_capacity="clinical sign-off")
        main = manager.get_by_role("main").inner_text()
        assert "Signed off by Sam Okafor and Priya Raman" in main
        manager.goto(sign_off)
        signatures = manager.locator("#signed-h + dl").inner_text()
        assert "Lead inspector (estates)" in signatures and "Sam Okafor" in signatures
        assert "Clinical sign-off" in signatures and "Priya Raman" in signatures
        axe_check(manager, context="signed inspection")
        screenshot(manager, "signoff-signed-tablet")
    finally:
        manager_context.close()
    assert not page.js_errors
