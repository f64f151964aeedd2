"""A safety lead imports incidents from a CSV export (a bad row stops the import, the corrected file
goes in), launches a trust-wide check from an incident, and a ward's answer goes through the
device's outbox; the dashboard pictures it all (real browser at 768x1024, axe on every page)."""
from __future__ import annotations

from collections import Counter

from playwright.sync_api import expect
from sqlalchemy import select

from inspect_app.api.models import SyncReceipt
from inspect_app.extensions import db
from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in

HEADER = "Datix ID,Incident date,Ward name,Exact location,Incident type,Harm level,Anchor point\n"
GOOD = ("DW-701,01/03/2026 14:30,Larch Ward,Bedroom 1,Fully suspended,Moderate harm,Wardrobe door\n"
        "DW-702,2026-03-02 09:10,Willow Ward,Seclusion suite,Near miss,None,Door hinge\n")
BAD = "DW-703,2026-03-03 10:00,Larch Ward,Broom cupboard,Near miss,Low,Shelf\n"


def _check(page, name: str, phone: bool = False) -> None:
    axe_check(page, context=name)
    screenshot(page, f"incidents-{name}-tablet")
    if phone:
        page.set_viewport_size(PHONE)
        axe_check(page, context=f"{name} at 390 px")
        screenshot(page, f"incidents-{name}-phone")
        page.set_viewport_size(TABLET)


def _fits(table) -> bool:
    return table.evaluate("t => t.scrollWidth <= t.closest('.table-wrap').clientWidth")


def _table_roles(page) -> dict[str, int]:
    """Table roles in Chromium's own accessibility tree (a stacked table's display must not drop them)."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    roles = Counter(n["role"]["value"] for n in nodes if not n.get("ignored") and "role" in n)
    return {role: roles[role] for role in ("table", "row", "columnheader", "cell")}


def _upload(page, base: str, text: str) -> None:
    page.goto(base + "/incidents/import/")
    page.get_by_label("CSV export from the incident system (UTF-8)").set_input_files(
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    page.get_by_role("button", name="Preview").click()


def test_import_with_a_bad_row_then_a_trust_wide_check_answered_through_the_outbox(page, live_server):
    base = live_server.url
    sign_in(page, base, "safety@demo.nhs.test")
    page.get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Import from CSV").click()
    _check(page, "import-start")
    _upload(page, base, HEADER + GOOD + BAD)
    expect(page.get_by_text("Row 4: No room 'Broom cupboard' on a ward named 'Larch Ward'.")).to_be_visible()
    expect(page.get_by_role("button", name="Import 2 incident(s)")).to_have_count(0)
    _check(page, "import-preview-bad", phone=True)
    page.set_viewport_size(PHONE)
    assert _fits(page.get_by_role("table", name="Rows ready to import once every row is correct"))
    page.set_viewport_size(TABLET)

    _upload(page, base, HEADER + GOOD)
    expect(page.get_by_label("Incident reference (required)")).to_have_value("Datix ID")
    page.get_by_role("button", name="Import 2 incident(s)").click()
    expect(page.get_by_text("2 incident(s) imported.")).to_be_visible()
    expect(page.get_by_role("heading", name="Wards to re-assess after an incident")).to_be_visible()
    _check(page, "list", phone=True)
    page.set_viewport_size(PHONE)  # the list reflows (WCAG 1.4.10) and is still a table to a screen reader
    table = page.get_by_role("table", name="Incidents, newest first")
    assert _fits(table), "scrolls sideways at 390 px"
    assert _table_roles(page) == {"table": 1, "row": 3, "columnheader": 6, "cell": 12}
    page.set_viewport_size(TABLET)

    page.get_by_role("link", name="INC-00001").click()
    _check(page, "detail")
    page.get_by_role("link", name="Launch a trust-wide check from this incident").click()
    page.get_by_label("What every ward checks").fill("Every wardrobe door")
    page.get_by_label("Fixture category").fill("Wardrobe")
    page.get_by_label("Deadline for every ward").fill("2099-01-01")
    page.get_by_role("button", name="Launch the check on every ward").click()
    expect(page.get_by_text("Set a deadline from today to 90 days ahead.")).to_be_visible()
    page.get_by_label("Deadline for every ward").fill(page.evaluate(
        "new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10)"))
    page.get_by_role("button", name="Launch the check on every ward").click()
    expect(page.get_by_text("launched on 6 wards")).to_be_visible()
    _check(page, "check", phone=True)

    page.get_by_role("link", name="Larch Ward", exact=True).click()
    page.get_by_label("What you found").fill("Two wardrobes checked: doors already anti-ligature.")
    _check(page, "task")
    page.get_by_role("button", name="Send the ward's answer").click()
    page.wait_for_url("**/learning/1")
    # sent by the outbox (the bar stays hidden for a role that does not capture on the ward)
    page.wait_for_selector("[data-outbox-status]:has-text('All saved')", state="attached", timeout=60_000)
    page.reload()
    expect(page.get_by_text("Open: 1 of 6 wards answered")).to_be_visible()
    with live_server.app.app_context():  # it went through the sync API, not the plain form post
        assert db.session.scalars(select(SyncReceipt.kind)).all() == ["trust_check.answer"]
        db.session.remove()
    assert not page.js_errors, page.js_errors

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Ligature incidents in the last 12 months (2)")).to_be_visible()
    expect(page.get_by_role("list", name="Incidents by ward").get_by_role("listitem")).to_have_text(
        ["Larch Ward 1 incident(s)", "Willow Ward 1 incident(s)"])
    _check(page, "dashboard", phone=True)
