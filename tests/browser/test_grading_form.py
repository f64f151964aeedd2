"""The point form asks load-bearing first and shows the consequence guidance and the room's floor
(checked with axe and photographed at 768x1024 and 390x844); a partial-suspension point in a Tier 2
corridor saved with its reason is High, and its page says why."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in


def _look(page, name: str) -> None:
    axe_check(page, context=name)
    screenshot(page, f"grading-{name}-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, context=f"{name} at 390 px")
    screenshot(page, f"grading-{name}-phone")
    page.set_viewport_size(TABLET)


def test_point_form_asks_load_bearing_first_with_guidance_and_floor(page, live_server):
    sign_in(page, live_server.url, "inspector@demo.nhs.test")
    page.get_by_role("link", name="Start inspection of Larch Ward").click()
    page.get_by_label("Annual ligature assessment").check()
    page.get_by_role("button", name="Start inspection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Larch Ward")
    page.get_by_role("link", name="Main corridor", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Main corridor")
    page.get_by_role("link", name=re.compile("ligature point not on the checklist", re.I)).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a ligature point")

    question = page.get_by_role("group", name="Can this point bear a ligature?")
    expect(question).to_be_visible()
    assert question.bounding_box()["y"] < page.locator("[data-grade-grid]").bounding_box()["y"]
    expect(page.locator("[data-floor-rule]")).to_contain_text("graded at least High")
    expect(page.locator(".guidance")).to_contain_text("fully or partly suspended (kneeling, sitting or lying)")
    _look(page, "point-form")

    page.get_by_label("Yes: partial suspension (kneeling, sitting or lying; any height)").check()
    page.get_by_label("Likelihood 2 Unlikely, consequence 3 Moderate, score 6", exact=False).first.click()
    page.get_by_label(re.compile("Why the consequence is below Catastrophic")).fill("Rail brackets shear at 20 kg")
    page.get_by_label("Fixture category").select_option(index=1)
    page.get_by_label("What is the ligature point?").fill("Handrail 300 mm above the floor")
    page.get_by_label("Low-level point (below knee height)").check()
    page.get_by_role("button", name="Save ligature point").click()
    expect(page).to_have_url(re.compile(r"/inspections/\d+/rooms/\d+"))
    for _ in range(20):  # the device's outbox may still be sending
        page.reload()
        if page.locator("[data-finding-id] a").count():
            break
        page.wait_for_timeout(500)
    page.locator("[data-finding-id] a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ligature point LP-")
    expect(page.locator(".room-head .chip--high")).to_be_visible()
    expect(page.locator("table.table")).to_contain_text("Consequence below Catastrophic because: Rail brackets shear")
    expect(page.locator("table.table")).to_contain_text("partial-suspension")
    _look(page, "point-detail")
    assert page.js_errors == []
