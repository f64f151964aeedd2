"""An Extreme action from report to closure in a real browser: the ward manager records the interim
control, the inspector orders work and records the fix with a photo, the safety lead verifies it
with a photo and closes it; it leaves the open lists and its history shows every step."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.inspections import services as inspections
from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in
from tests.fixtures.remediation import photo_bytes


def _extreme_action(app) -> int:
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
        room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Bedroom 3"))
        inspection = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Sam Okafor"],
                                                  by=inspector, now=utcnow())
        finding = findings.record_finding(inspection=inspection, room=room, category="Door furniture",
                                          description="Overhead door closer arm", likelihood=5, consequence=5,
                                          by=inspector, now=utcnow())
        db.session.commit()
        from inspect_app.actions.services import action_for

        action_id = action_for(finding).id
        db.session.remove()
        return action_id


def _both_sizes(page, name: str) -> None:
    axe_check(page, context=name)
    screenshot(page, f"{name}-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, context=f"{name} at 390 px")
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(TABLET)


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login*")  # the sign-out script may check the outbox before submitting


def _move(page, summary: str, fill: dict, photo: bytes | None = None) -> None:
    page.locator("summary", has_text=summary).first.click()
    form = page.locator("details[open] form").first
    for label, value in fill.items():
        form.get_by_label(label, exact=False).first.fill(value)
    if photo is not None:
        form.locator("input[type=file]").set_input_files(
            files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    form.get_by_role("button", name=summary).click()
    page.wait_for_load_state("domcontentloaded")


def test_extreme_action_from_interim_control_to_verified_closure(page, live_server):
    action_id = _extreme_action(live_server.app)
    ref = f"ACT-{action_id:05d}"
    url = live_server.url

    sign_in(page, url, "manager@demo.nhs.test")
    expect(page.get_by_text("Needs your attention on your wards")).to_be_visible()
    _both_sizes(page, "rem-manager-home")
    page.get_by_role("link", name="My hazards").click()
    expect(page.get_by_role("link", name=f"{ref}: Door furniture")).to_be_visible()
    _both_sizes(page, "rem-manager-list")
    page.get_by_role("link", name=f"{ref}: Door furniture").click()
    assert page.locator("summary", has_text="Accept risk").count() == 0
    _both_sizes(page, "rem-detail-open")
    review = (utcnow() + timedelta(days=7)).date().isoformat()
    _move(page, "Record interim control", {"What exactly is in place": "Bedroom 3 locked; patient moved to Bedroom 9",
                                           "Person responsible": "Nurse in charge", "Review date": review})
    assert "is now interim control in place" in page.locator(".flash").inner_text()
    _sign_out(page)

    sign_in(page, url, "inspector@demo.nhs.test")
    page.goto(f"{url}/actions/{action_id}")
    _move(page, "Order work", {"Reference": "CAFM-20417"})
    _move(page, "Record remediation", {"Product fitted": "Anti-ligature closer, concealed track"},
          photo=photo_bytes((30, 60, 200)))
    assert "is now remediated" in page.locator(".flash").inner_text()
    # The person who did the work is not offered "Verify on site"; the page says why instead.
    assert page.locator("summary", has_text="Verify on site").count() == 0
    assert "a different person must verify it on site" in page.locator("[data-withheld]").inner_text()
    _both_sizes(page, "rem-detail-remediated")
    _sign_out(page)

    sign_in(page, url, "safety@demo.nhs.test")
    page.goto(f"{url}/actions/{action_id}")
    _move(page, "Verify on site", {}, photo=photo_bytes((20, 140, 60)))
    assert "is now verified" in page.locator(".flash").inner_text()
    _move(page, "Close action", {"Comment": "Seen on site, fixed"})
    assert "is now closed" in page.locator(".flash").inner_text()
    history = page.locator("ol.timeline").inner_text()
    for step in ("Action created", "Open → Interim control in place", "Interim control in place → Work ordered",
                 "Work ordered → Remediated", "Remediated → Verified", "Verified → Closed", "Priya Raman",
                 "Sam Okafor", "Dr Helen Marsh", "CAFM-20417", "Seen on site, fixed"):
        assert step in history
    assert page.locator("ol.timeline img").count() == 2
    assert page.locator("ol.timeline img").first.evaluate("img => img.naturalWidth") > 0
    _both_sizes(page, "rem-detail-closed")
    page.goto(f"{url}/dashboard/")
    _both_sizes(page, "rem-dashboard")
    page.goto(f"{url}/actions/")
    assert page.get_by_role("link", name=f"{ref}: Door furniture").count() == 0
    _sign_out(page)

    sign_in(page, url, "manager@demo.nhs.test")
    page.goto(f"{url}/actions/")
    assert page.get_by_role("link", name=f"{ref}: Door furniture").count() == 0
    assert page.js_errors == []
