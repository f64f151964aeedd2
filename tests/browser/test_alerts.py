"""An admin records an alert, publishes a checklist version citing it, and the dashboard shows
every demo ward as not yet assessed against it (real browser, axe on every page)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in

DEMO_WARDS = ("Larch Ward", "Willow Ward", "Rowan Ward", "Hazel Ward", "Juniper Ward", "Alder Ward")


def _check_both_sizes(page, name: str) -> None:
    axe_check(page, context=name)
    screenshot(page, f"alerts-{name}-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, context=f"{name} at 390 px")
    screenshot(page, f"alerts-{name}-phone")
    page.set_viewport_size(TABLET)


def test_admin_records_an_alert_publishes_a_citing_version_and_every_ward_is_not_yet_assessed(page, live_server):
    sign_in(page, live_server.url, "admin@demo.nhs.test")
    page.get_by_role("link", name="Alerts", exact=True).click()
    _check_both_sizes(page, "register")
    page.get_by_role("link", name="Record an alert").click()
    page.get_by_label("Reference").fill("EFA/2099/042")
    page.get_by_label("Title").fill("Door-top alarm systems: failure to alarm")
    page.get_by_label("Issuing body").fill("NHS England (test alert)")
    page.get_by_label("Issued on").fill("2025-01-06")
    page.get_by_label("Action underway by").fill("2025-02-03")
    page.get_by_label("Action complete by").fill("2030-07-07")
    page.get_by_label("Required actions, in the trust's own words").fill("Test every door-top alarm monthly.")
    _check_both_sizes(page, "form")
    page.get_by_role("button", name="Save alert").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("EFA/2099/042")
    expect(page.get_by_role("heading", name="Wards not yet assessed against this alert (6)")).to_be_visible()
    page.get_by_label("Start from").select_option(label="Ligature point inspection checklist v2.0 (published)")
    page.get_by_label("New version number").fill("2.1")
    page.get_by_role("button", name="Create draft").click()

    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Area type").select_option(label="Patient bedroom (BED)")
    page.get_by_label("Item code").fill("BED-90")
    page.get_by_label("Fixture category").fill("Doors & door furniture")
    page.get_by_label("Question").fill("Does the door-top alarm sound when the test weight is applied?")
    page.get_by_label("Alert section (optional)").fill("Action 1")
    _check_both_sizes(page, "item-form")
    page.get_by_role("button", name="Save item").click()
    expect(page.get_by_role("heading", name="Items citing the alert (1)")).to_be_visible()
    _check_both_sizes(page, "draft")
    expect(page.locator("[data-publish-changes]")).to_contain_text("Items added: 1")
    page.get_by_label("I have read these changes").check()
    page.get_by_role("button", name="Publish this version").click()

    expect(page.get_by_role("status").filter(has_text="Published Ligature point inspection checklist v2.1")).to_be_visible()
    expect(page.get_by_text("BED-90", exact=True)).to_be_visible()
    _check_both_sizes(page, "detail")

    page.goto(live_server.url + "/alerts/dashboard")
    panel = page.get_by_role("region", name="Wards in scope of EFA/2099/042")
    for ward in DEMO_WARDS:
        row = panel.get_by_role("row").filter(has_text=ward)
        expect(row.get_by_text("Not yet assessed")).to_be_visible()
    _check_both_sizes(page, "dashboard")
    assert page.js_errors == []


def test_inspector_registers_a_curtain_rail_and_records_a_failed_check(page, live_server):
    sign_in(page, live_server.url, "inspector@demo.nhs.test")
    page.get_by_role("link", name="Product checks", exact=True).click()
    page.get_by_role("link", name="Larch Ward").click()
    page.get_by_label("Room").select_option(label="Bedroom 3")
    page.get_by_label("Description").fill("Bed-bay curtain track")
    page.get_by_label("Check every (days)").fill("30")
    page.get_by_label("Alert asking for the check").select_option(label="EFA/2019/003")
    page.get_by_role("button", name="Add fixture").click()
    page.get_by_role("link", name="Record check of Bed-bay curtain track, Bedroom 3").click()
    _check_both_sizes(page, "check-form")
    page.get_by_label("Fail").check()
    page.get_by_role("button", name="Record check").click()
    expect(page.get_by_text("Say what failed")).to_be_visible()  # refused without notes
    page.get_by_label("Fail").check()
    page.get_by_label("Notes").fill("Track did not release under load")
    page.get_by_role("button", name="Record check").click()
    # An inspector's check goes through the device's outbox (kept if the ward has no signal): the
    # row says so until the page, reloaded, shows the check from the server.
    row = page.get_by_role("row").filter(has_text="Bed-bay curtain track")
    row.get_by_text("Fail recorded").wait_for()  # once sent, the row shows the server's view of it
    expect(row.get_by_text("Fail", exact=True)).to_be_visible()
    expect(row.get_by_text("Due soon")).to_be_visible()
    page.reload()
    expect(row.get_by_text("Fail", exact=True)).to_be_visible()
    expect(row.get_by_text("Due soon")).to_be_visible()
    assert row.locator("[data-check-pending]").count() == 0
    _check_both_sizes(page, "ward-checks")
    assert page.js_errors == []
