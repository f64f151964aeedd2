"""Every area type of the built-in library 2.0 renders and answers on the room page at 768x1024:
one page load per area type, every item drawn with the answers of its kind, one item of each kind
answered per page (offline capture, then synced), an N/A without a reason refused on the device,
one axe run on a page with both kinds."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.checklists import library
from inspect_app.clock import utcnow
from inspect_app.domain.checklist import item_applies
from inspect_app.estates.models import AreaType, Room, Ward
from inspect_app.extensions import db
from inspect_app.inspections import services as inspections
from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in


def _one_room_per_area_type(app) -> list[tuple[str, str, int]]:
    """A room of every area type on two demo wards (CAMHS-only areas on Juniper, the rest on Rowan),
    an annual inspection of each started; returns (area code, room URL, expected item count)."""
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        template = library.current_published()
        wards = {w.name: w for w in db.session.scalars(select(Ward))}
        pages = []
        started = {}
        # The demo has no perinatal ward: the nursery (perinatal only) gets one.
        wards["perinatal"] = Ward(site=wards["Rowan Ward"].site, name="Perinatal test ward", patient_group="perinatal",
                                  bed_count=0, active=True)
        db.session.add(wards["perinatal"])
        for area in db.session.scalars(select(AreaType).order_by(AreaType.code)):
            items = template.items_for(area.id)
            groups = {g for i in items for g in i.group_list}
            ward = {frozenset({"camhs"}): wards["Juniper Ward"], frozenset({"perinatal"}): wards["perinatal"]}.get(
                frozenset(groups) if all(i.group_list for i in items) else None, wards["Rowan Ward"])
            room = Room(ward=ward, name=f"Library check {area.code}", area_type=area, tier=area.default_tier,
                        position=900, active=True)
            db.session.add(room)
            db.session.flush()
            if ward.id not in started:
                started[ward.id] = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Sam"],
                                                                by=inspector, now=utcnow())
                db.session.flush()
            expected = sum(item_applies(item_groups=i.group_list, item_types=i.type_list,
                                        patient_group=ward.patient_group, inspection_type="annual") for i in items)
            pages.append((area.code, f"/inspections/{started[ward.id].id}/rooms/{room.id}", expected))
        db.session.commit()
        db.session.remove()
        return pages


def test_every_area_type_renders_and_answers_at_tablet_size(page, live_server):
    pages = _one_room_per_area_type(live_server.app)
    assert len(pages) == 27 and all(expected for _, _, expected in pages)
    sign_in(page, live_server.url, "inspector@demo.nhs.test")
    answered = {"compliant": 0, "fail": 0, "not_applicable": 0}
    for code, url, expected in pages:
        page.goto(live_server.url + url)
        rows = page.locator("[data-item-id]")
        expect(rows).to_have_count(expected)
        kinds = rows.evaluate_all("rows => rows.map(r => [r.dataset.itemId, r.dataset.kind])")
        ligature = [i for i, k in kinds if k == "ligature"]
        checks = [i for i, k in kinds if k == "check"]
        # every item carries the answers of its kind
        expect(page.locator(".item-row[data-kind=ligature] .answer--compliant")).to_have_count(len(ligature))
        expect(page.locator(".item-row[data-kind=check] .answer--pass")).to_have_count(len(checks))
        expect(page.locator(".item-row .answer--not_applicable")).to_have_count(expected)
        if ligature:
            row = page.locator(f"#item-{ligature[0]}")
            row.get_by_role("button", name="Compliant", exact=True).click()
            expect(row.locator(".answer--compliant")).to_have_attribute("aria-pressed", "true")
            answered["compliant"] += 1
        if checks:
            row = page.locator(f"#item-{checks[0]}")
            row.locator("summary").filter(has_text="Fail or not applicable").click()
            row.get_by_label("What failed").fill(f"{code}: failed in the library browser test")
            row.get_by_role("button", name="Fail", exact=True).click()
            expect(row.locator(".answer--fail")).to_have_attribute("aria-pressed", "true")
            answered["fail"] += 1
        if code == "CLN":  # both kinds on one page: an N/A without its reason is refused on the device
            row = page.locator(f"#item-{ligature[1]}")
            row.locator("summary").filter(has_text="Not applicable").click()
            row.get_by_role("button", name="Not applicable", exact=True).click()
            expect(row.locator("[data-capture-note]")).to_contain_text("choose why the item is not applicable")
            row.get_by_label("Why not applicable").select_option(label="No patient access")
            row.get_by_role("button", name="Not applicable", exact=True).click()
            expect(row.locator(".answer--not_applicable")).to_have_attribute("aria-pressed", "true")
            answered["not_applicable"] = 1
            axe_check(page, context="clinic room (ligature and check items)")
            screenshot(page, "library-clinic-tablet")
            page.set_viewport_size(PHONE)
            screenshot(page, "library-clinic-phone")
            page.set_viewport_size(TABLET)
    expect(page.locator("[data-outbox-status]").first).to_have_text("All saved", timeout=30_000)
    with live_server.app.app_context():
        from inspect_app.findings.models import Finding
        from inspect_app.inspections.models import Answer

        answers = db.session.scalars(select(Answer.value)).all()
        na_reason = db.session.scalar(select(Answer.na_reason).where(Answer.value == "not_applicable"))
        failed = db.session.scalar(select(Finding.description).where(Finding.kind == "check",
                                                                     Finding.description.like("CLN:%")))
        db.session.remove()
    assert {v: answers.count(v) for v in answered} == answered and answered["fail"] >= 10
    assert failed == "CLN: failed in the library browser test" and na_reason == "no_patient_access"
    assert page.js_errors == []
