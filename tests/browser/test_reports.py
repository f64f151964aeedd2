"""A patient safety lead reads an inspection report in the browser and downloads its PDF."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.estates.models import Ward
from inspect_app.extensions import db
from tests.browser.conftest import PHONE, axe_check, screenshot, sign_in
from tests.fixtures.reports import build_report_inspection


def test_safety_lead_reads_the_html_report_and_downloads_the_pdf(app, live_server, page, tmp_path):
    with app.app_context():
        people = {u.role: u for u in db.session.scalars(select(User))}
        wards = {w.name: w.id for w in db.session.scalars(select(Ward))}
        inspection_id = build_report_inspection(people, wards).inspection.id
        db.session.remove()
    sign_in(page, live_server.url, "safety@demo.nhs.test")
    page.get_by_role("link", name="Reports").click()
    axe_check(page, context="reports index")
    page.get_by_role("link", name=f"Read INS-{inspection_id:05d}, Larch Ward").click()
    assert "Ligature risk assessment: Larch Ward" in page.get_by_role("heading", level=1).inner_text()
    expect(page.get_by_text("<script>alert").first).to_be_visible()  # hostile text shown as text
    images = page.locator(".report-finding__photos img")
    assert images.count() == 6
    for index in range(6):  # lazy images: bring each into view, then check it decoded
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_timeout(100)
        assert image.evaluate("i => i.decode().then(() => i.naturalWidth)") > 0
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    axe_check(page, context="HTML inspection report")
    screenshot(page, "report-html-tablet")
    page.emulate_media(media="print")
    screenshot(page, "report-html-print")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    axe_check(page, context="HTML inspection report at 390 px")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    screenshot(page, "report-html-phone")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("ligature-report-larch-ward-")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert page.js_errors == []
