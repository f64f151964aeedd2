"""The walk-through in Chromium at tablet size: start, answer a bedroom, record an Extreme point with a photo.

Every page visited is checked with axe and photographed at 768x1024 and 390x844. The taps from
"Ligature point" to saved (photo and grade included) are counted: at most five. Progress updates
live; the rest of the room is marked compliant in one bulk answer; Compliant on an item with a
point asks first.
"""
from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in
from tests.fixtures.walkthrough import make_photo

TAP_BUDGET = 5


def _look(page, name: str) -> None:
    axe_check(page, context=name)
    screenshot(page, f"walk-{name}-tablet")
    page.set_viewport_size(PHONE)
    axe_check(page, context=f"{name} at 390 px")
    screenshot(page, f"walk-{name}-phone")
    page.set_viewport_size(TABLET)


def _overview_shows_extreme(page, url: str) -> bool:
    """The overview, reloaded until Bedroom 1 shows its Extreme point (a queued write may still be sending)."""
    for _ in range(20):
        try:
            page.goto(url)
        except PlaywrightError:  # the offline queue may be navigating the page itself just then
            page.wait_for_timeout(500)
            continue
        row = page.locator(".room-row", has=page.get_by_role("link", name="Bedroom 1", exact=True))
        if row.locator(".chip--extreme").count():
            return True
        page.wait_for_timeout(500)
    return False


def test_inspector_answers_a_bedroom_and_records_an_extreme_point_with_a_photo(page, live_server):
    sign_in(page, live_server.url, "inspector@demo.nhs.test")
    page.get_by_role("link", name="Start inspection of Larch Ward").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start an inspection of Larch Ward")
    _look(page, "start")
    page.get_by_label("Annual ligature assessment").check()
    page.get_by_label("Person 2 name").fill("Ana Ward")
    page.get_by_label("Person 2 role").fill("Ward clinician")
    page.get_by_role("button", name="Start inspection").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Larch Ward")
    overview_url = page.url
    _look(page, "overview")
    page.get_by_role("link", name="Next unfinished room: Bedroom 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedroom 1")
    _look(page, "room")

    rows = page.locator("[data-item-id]").evaluate_all("rows => rows.map(r => [r.dataset.itemId, r.dataset.kind])")
    assert len(rows) == 27
    item_ids = [item_id for item_id, _ in rows]
    point_item = item_ids[3]
    checks = [item_id for item_id, kind in rows if kind == "check"]
    progress = page.locator("[data-room-progress]")
    for n, item_id in enumerate(item_ids[:2], start=1):
        page.locator(f"#item-{item_id}").get_by_role("button", name="Compliant", exact=True).click()
        expect(page.locator(f"#item-{item_id} .answer--compliant")).to_have_attribute("aria-pressed", "true")
        expect(progress).to_contain_text(f"{n} of 27 answered")  # live, without a reload

    # From "Ligature point" to saved, with a photo and a grade: counted taps, at most five.
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        taps += 1
        locator.click()

    tap(page.locator(f"#item-{point_item}").get_by_role("button", name="Ligature point", exact=True))
    expect(page).to_have_url(re.compile(r"/ligature-points/new\?.*item_id=" + point_item))
    with page.expect_file_chooser() as chooser:
        tap(page.get_by_text("Take photo", exact=True))
    chooser.value.set_files(files=[{"name": "closer.jpg", "mimeType": "image/jpeg",
                                    "buffer": make_photo((2400, 1800))}])
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)  # shrunk and previewed
    tap(page.get_by_label("Yes: it could bear a fully suspended ligature"))  # load-bearing first
    tap(page.get_by_label("Likelihood 4 Likely, consequence 5 Catastrophic, score 20 Extreme"))
    expect(page.locator("[data-grade-result] .chip--extreme")).to_have_text("Extreme")  # live, in its colour
    expect(page.locator("[data-grade-result]")).to_contain_text("Score 20")
    save = page.get_by_role("button", name="Save ligature point")
    expect(save).to_be_in_viewport()  # sticky: in reach without scrolling down the form
    _look(page, "point-form")
    tap(save)
    # Saved on the device (the point and its photo together), then back to the room, as without JavaScript.
    expect(page).to_have_url(re.compile(r"/inspections/\d+/rooms/\d+$"))
    assert taps <= TAP_BUDGET, f"{taps} taps from 'Ligature point' to saved"

    # Check items one by one (never in the bulk answer), then the other 19 ligature items in one bulk
    # answer, after a confirmation that names how many.
    assert len(checks) == 5
    expect(page.locator("[data-remaining-text]")).to_have_text("19 unanswered items")
    for item_id in checks:
        page.locator(f"#item-{item_id}").get_by_role("button", name="Pass", exact=True).click()
        expect(page.locator(f"#item-{item_id} .answer--pass")).to_have_attribute("aria-pressed", "true")
    page.get_by_text("Mark remaining items compliant").click()
    confirm = page.get_by_role("button", name="Yes, mark 19 compliant")
    expect(page.locator("[data-remaining-text]")).to_have_text("19 unanswered items")
    _look(page, "room-remaining")
    confirm.click()
    expect(progress).to_contain_text("27 of 27 answered")
    last_ligature = [item_id for item_id, kind in rows if kind == "ligature"][-1]
    expect(page.locator(f"#item-{last_ligature} .answer--compliant")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-outbox-status]").first).to_have_text("All saved", timeout=20_000)

    # Compliant on the item that has the point asks first: withdraw it, or keep it (nothing is sent).
    page.reload()
    page.locator(f"#item-{point_item}").get_by_role("button", name="Compliant", exact=True).click()
    dialog = page.locator("[data-point-dialog]")
    expect(dialog).to_contain_text("recorded against this item")
    expect(dialog.get_by_role("link", name=re.compile(r"Withdraw LP-\d+"))).to_be_visible()
    axe_check(page, context="compliant-with-a-point prompt")
    dialog.get_by_role("button", name="Keep the point").click()
    expect(page.locator(f"#item-{point_item} .answer--ligature_point")).to_have_attribute("aria-pressed", "true")

    assert _overview_shows_extreme(page, overview_url), "Bedroom 1 does not show its Extreme point"
    expect(page.locator("[data-outbox-status]").first).to_have_text("All saved", timeout=20_000)  # photo sent too
    row = page.locator(".room-row", has=page.get_by_role("link", name="Bedroom 1", exact=True))
    expect(row).to_contain_text("27 of 27 answered")
    expect(row).to_contain_text("1 ligature point")
    _look(page, "overview-after")
    row.get_by_role("link", name="Bedroom 1", exact=True).click()
    page.locator("[data-finding-id] a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ligature point LP-")
    expect(page.locator("#photos img")).to_have_count(1)
    _look(page, "point-detail")
    assert page.js_errors == []


def test_discreet_mode_is_one_tap_and_remembered_on_the_device(page, live_server):
    sign_in(page, live_server.url, "inspector@demo.nhs.test")
    page.get_by_role("link", name="Start inspection of Willow Ward").click()
    page.get_by_label("Routine environmental check").check()
    page.get_by_role("button", name="Start inspection").click()
    toggle = page.get_by_role("button", name="Discreet mode")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bis-discreet\b"))
    assert page.evaluate("localStorage.getItem('wsi.discreet')") == "1"
    page.reload()
    expect(page.locator("body")).to_have_class(re.compile(r"\bis-discreet\b"))
    expect(page.get_by_role("button", name="Discreet mode")).to_have_attribute("aria-pressed", "true")
    assert page.js_errors == []
