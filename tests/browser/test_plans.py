"""Floor plans in a real Chromium at 768x1024: the admin uploads a plan and places a room by two
taps, the inspector pins a point by one tap (axe and the HTML checker on each page); and a pin
made offline, and a nurse's briefing confirmation made offline, reach the server once back online."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from inspect_app.auth.models import User
from inspect_app.briefings.models import BriefingConfirmation
from inspect_app.clock import utcnow
from inspect_app.demo.seed import seed_demo
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.findings.models import Finding
from inspect_app.inspections import services as inspections
from inspect_app.plans import services as plans
from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in, wait_for_service_worker
from tests.browser.test_offline import Server, make_available_offline
from tests.fixtures.plans import plan_png

WAITING = "[data-outbox-bar] [data-outbox-status]"


@pytest.fixture
def walk(app):
    """Larch Ward with an inspection under way and an Extreme point in Bedroom 1; ``plan=True``
    in the test's own call adds the plan with Bedroom 1 placed (see ``planned``)."""
    with app.app_context():
        seed_demo(now=utcnow())
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
        inspection = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Sam Okafor"],
                                                  by=inspector, now=utcnow())
        room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Bedroom 1"))
        point = findings.record_finding(inspection=inspection, room=room, by=inspector, now=utcnow(),
                                        category="Pipework", description="Exposed pipe", likelihood=5,
                                        consequence=5, load_bearing="full")
        db.session.commit()
        ids = {"ward": ward.id, "inspection": inspection.id, "room": room.id, "point": point.id}
        db.session.remove()
    return ids


@pytest.fixture
def server(app, walk):
    running = Server(app).start()
    yield running
    running.stop()


def _pin(app, point_id: int):
    with app.app_context():
        point = db.session.get(Finding, point_id)
        out = (point.pin_x, point.pin_y)
        db.session.remove()
    return out


def _tap(page, selector: str, fx: float, fy: float) -> None:
    page.wait_for_load_state("load")  # plan.js (deferred) listens for taps
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def test_upload_a_plan_place_a_room_by_taps_and_pin_a_point_by_a_tap(app, walk, server, browser):
    context = browser.new_context(viewport=TABLET, service_workers="allow")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, server.url, "admin@demo.nhs.test")
    page.goto(f"{server.url}/admin/wards/{walk['ward']}/plan")
    page.set_input_files("input[name='plan-plan']", files=[{"name": "plan.png", "mimeType": "image/png",
                                                            "buffer": plan_png()}])
    page.get_by_role("button", name="Upload plan").click()
    page.wait_for_selector("svg[data-plan-tap='place']")
    page.get_by_label("Room", exact=True).select_option(label="Bedroom 1")
    _tap(page, "svg[data-plan-tap='place']", 0.10, 0.10)  # two taps: opposite corners
    _tap(page, "svg[data-plan-tap='place']", 0.30, 0.40)
    assert float(page.get_by_label("Width (%; empty for a point)").input_value()) == pytest.approx(20, abs=0.5)
    axe_check(page, context="plan page with a room being placed")
    screenshot(page, "plan-admin-place-room")
    page.get_by_role("button", name="Save the room's place").click()
    page.wait_for_selector("text=Bedroom 1 placed on the plan.")
    with app.app_context():
        room = db.session.get(Room, walk["room"])
        assert (room.plan_x, room.plan_y, room.plan_w, room.plan_h) == pytest.approx((0.1, 0.1, 0.2, 0.3), abs=0.01)
        db.session.remove()
    page.wait_for_load_state("load")  # choosing the placed room again starts from its saved place
    page.get_by_label("Room", exact=True).select_option(label="Bedroom 1")
    expect(page.locator("[data-place-status]")).to_contain_text("Bedroom 1 is placed")
    assert float(page.get_by_label("Height (%; empty for a point)").input_value()) == pytest.approx(30, abs=0.5)
    assert page.locator(".plan__room--current").get_attribute("data-room") == str(walk["room"])
    axe_check(page, context="plan page with a placed room chosen (and the list of placed rooms)")
    context.close()

    context = browser.new_context(viewport=TABLET, service_workers="allow")  # the inspector's tablet
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, server.url, "inspector@demo.nhs.test")
    page.set_viewport_size(PHONE)  # the new-point form's plan (in a fieldset) scrolls in its region, not the page
    page.goto(f"{server.url}/ligature-points/new?inspection_id={walk['inspection']}&room_id={walk['room']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(TABLET)
    page.goto(f"{server.url}/ligature-points/{walk['point']}/pin")
    page.wait_for_selector("svg[data-plan-tap='pin'] .plan__room--current")
    _tap(page, "svg[data-plan-tap='pin']", 0.20, 0.30)
    axe_check(page, context="pin page")
    screenshot(page, "plan-pin-point")
    page.get_by_role("button", name="Save the pin").click()
    page.wait_for_url(f"**/ligature-points/{walk['point']}")
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=30_000)
    assert _pin(app, walk["point"]) == pytest.approx((0.2, 0.3), abs=0.01)
    page.goto(f"{server.url}/inspections/{walk['inspection']}")
    pin = page.locator("svg .plan__pin--extreme[data-pin='1']")
    assert pin.count() == 1 and "plan__pin--room" not in pin.get_attribute("class")
    screenshot(page, "plan-ward-overview")
    page.set_viewport_size(PHONE)  # the plan keeps a readable size and scrolls in its own region, not the page
    screenshot(page, "plan-ward-overview-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".plan__scroll svg").bounding_box()["width"] >= 760
    axe_check(page, context="ward overview with the plan at 390 px")
    page.set_viewport_size(TABLET)
    axe_check(page, context="ward overview with the plan")
    page.locator("a.plan__pin-link").first.click()  # a tap on the pin opens the point
    page.wait_for_url(f"**/ligature-points/{walk['point']}")
    assert not errors, errors
    context.close()


def test_a_pin_and_a_briefing_confirmation_made_offline_reach_the_server_when_back_online(app, walk, server, browser):
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.nhs.test"))
        plans.upload_plan(plan_png(), ward=db.session.get(Ward, walk["ward"]), by=admin, now=utcnow())
        plans.place_room(db.session.get(Room, walk["room"]), x=0.1, y=0.1, w=0.2, h=0.3, by=admin, now=utcnow())
        db.session.commit()
        db.session.remove()
    context = browser.new_context(viewport=TABLET, service_workers="allow")
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, server.url, "inspector@demo.nhs.test")
    make_available_offline(page, server.url, walk["inspection"])
    context.set_offline(True)
    page.goto(f"{server.url}/ligature-points/{walk['point']}/pin")  # from the ward pack
    page.wait_for_selector("svg[data-plan-tap='pin'] image")
    _tap(page, "svg[data-plan-tap='pin']", 0.25, 0.35)
    page.get_by_role("button", name="Save the pin").click()
    page.wait_for_selector(f"{WAITING}:has-text('Offline, 1 waiting')")
    assert _pin(app, walk["point"]) == (None, None)
    screenshot(page, "plan-pin-offline-waiting")
    context.set_offline(False)
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    assert _pin(app, walk["point"]) == pytest.approx((0.25, 0.35), abs=0.01)
    context.close()

    # A nurse confirms the (changed) briefing on a ward with no signal: it reaches the server later.
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, server.url, "staff@demo.nhs.test")
    page.goto(f"{server.url}/wards/{walk['ward']}/briefing")
    wait_for_service_worker(page)
    page.reload()  # now through the service worker, which keeps the page and the plan for offline
    page.wait_for_selector("svg .plan__pin--extreme")
    context.set_offline(True)
    page.reload()
    page.get_by_role("button", name="I have read the ligature briefing").click()
    page.wait_for_selector(f"{WAITING}:has-text('Offline, 1 waiting')")
    assert _confirmations(app) == 0
    context.set_offline(False)
    # the bar hides once nothing waits for people who do not capture (ward staff): "attached", not visible
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", state="attached", timeout=60_000)
    assert _confirmations(app) == 1
    page.goto(f"{server.url}/wards/{walk['ward']}/briefing")
    expect(page.get_by_role("heading", name="You have read this version")).to_be_visible()
    axe_check(page, context="briefing confirmed, phone")
    key = page.get_by_role("table", name="Open ligature points on Larch Ward (1, 1 Extreme)")
    assert key.evaluate("t => t.scrollWidth <= t.closest('.table-wrap').clientWidth"), "the key scrolls sideways"
    screenshot(page, "briefing-confirmed-phone")
    context.close()


def _confirmations(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(BriefingConfirmation))
        db.session.remove()
    return count
