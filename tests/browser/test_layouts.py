"""Layouts hold at 390x844 and 768x1024 with long unbroken words and 200-character names: no page
scrolls sideways, the grade matrix headings do not break inside a word, tables scroll in their box.
Each page is also checked with axe and photographed."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.estates.models import Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from tests.browser.conftest import PHONE, TABLET, LiveServer, axe_check, screenshot, sign_in
from tests.fixtures.reports import build_report_inspection

WORD = "Supercalifragilisticexpialidociousligaturepointdescription" * 3  # 174 characters, no break
LONG = (WORD + " ") [:199] + "x"  # 200 characters


@pytest.fixture
def long_world(app):
    from inspect_app.clock import utcnow
    from inspect_app.demo.seed import seed_demo

    with app.app_context():
        seed_demo(now=utcnow())
        people = {u.role: u for u in db.session.scalars(select(User))}
        wards = {w.name: w.id for w in db.session.scalars(select(Ward))}
        made = build_report_inspection(people, wards, "Larch Ward", signed=False)
        made.ward.name = LONG
        made.ward.site.name = LONG
        made.rooms[0].name = LONG[:120]  # the longest a room name may be (String(120))
        people["safety_lead"].name = LONG[:120]
        for point in db.session.scalars(select(Finding)):
            point.description, point.location = LONG, WORD
        db.session.commit()
        ids = {"inspection": made.inspection.id, "room": made.rooms[0].id, "point": made.points[-2].id,
               "ward": made.ward.id}
        db.session.remove()
    server = LiveServer(app).start()
    yield server, ids
    server.stop()


WIDEST = """() => Array.from(document.querySelectorAll('body *')).filter(e => {
    const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1 && r.width > 0
        && !e.closest('.table-wrap, .matrix-wrap, .scroll-box'); })
    .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _fits(page, name: str, problems: list[str]) -> None:
    for size, label in ((PHONE, "phone"), (TABLET, "tablet")):
        page.set_viewport_size(size)
        page.wait_for_timeout(100)
        screenshot(page, f"layout-{name}-{label}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > size["width"]:
            problems.append(f"{name} at {label}: the page is {wide}px wide: {page.evaluate(WIDEST)}")
    axe_check(page, context=f"{name} with long names")


def test_pages_hold_with_long_words_and_long_names(long_world, page):
    server, ids = long_world
    base = server.url
    problems: list[str] = []
    sign_in(page, base, "safety@demo.nhs.test")
    visits = {"dashboard": "/dashboard", "actions": "/actions", "report": f"/reports/inspections/{ids['inspection']}",
              "point": f"/ligature-points/{ids['point']}", "overview": f"/inspections/{ids['inspection']}",
              "inspections": "/inspections/", "reports": "/reports/"}
    for name, path in visits.items():
        page.goto(base + path)
        _fits(page, name, problems)
        if name in ("inspections", "reports"):  # lists that reflow on a phone (WCAG 1.4.10), not scroll sideways
            page.set_viewport_size(PHONE)
            tables = page.locator("table.table--stack").all()
            if not tables or not all(t.evaluate("t => getComputedStyle(t.querySelector('tbody tr')).display === 'block'"
                                                " && t.scrollWidth <= t.closest('.table-wrap').clientWidth") for t in tables):
                problems.append(f"{name}: the list does not reflow at 390 px")
            page.set_viewport_size(TABLET)
    page.goto(base + "/actions")
    page.locator("a[href^='/actions/']").first.click()
    _fits(page, "action", problems)
    page.context.clear_cookies()
    sign_in(page, base, "admin@demo.nhs.test")
    page.goto(base + "/admin/users")
    _fits(page, "users", problems)

    page.context.clear_cookies()
    sign_in(page, base, "inspector@demo.nhs.test")
    page.goto(f"{base}/inspections/{ids['inspection']}/rooms/{ids['room']}")
    _fits(page, "room", problems)
    page.goto(f"{base}/ligature-points/new?inspection_id={ids['inspection']}&room_id={ids['room']}")
    page.set_viewport_size(PHONE)
    # The matrix headings are whole words: nothing may break inside one ("Negligi ble"), and none overflows.
    for heading in page.locator(".matrix th").all():
        style = heading.evaluate("h => [getComputedStyle(h).overflowWrap, getComputedStyle(h).wordBreak, "
                                 "h.scrollWidth <= h.clientWidth + 1]")
        if style != ["normal", "normal", True]:
            problems.append(f"matrix heading {heading.inner_text()!r}: {style}")
    _fits(page, "point-form", problems)
    # The outbox panel with an item whose label is one long word.
    page.evaluate("WSIOutbox.enqueue('answer', {inspection_id: 0, room_id: 0, item_id: 0}, {label: %r})" % WORD)
    page.reload()
    page.locator("[data-outbox-bar] summary").click()
    _fits(page, "outbox", problems)
    assert not problems, "\n".join(problems)
    assert page.js_errors == []
