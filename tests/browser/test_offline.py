"""Offline capture in a real Chromium, one browser context per flow (the service worker, caches and
IndexedDB live in the context): ward pack, capture offline, reload offline, sign-out blocked, sync
with matching checksums; a real server outage mid-sync; a session that ends while offline."""
from __future__ import annotations

import hashlib
import io
import socket
import threading

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from inspect_app.api.models import SyncReceipt
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.demo.seed import seed_demo
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections import services as inspections
from inspect_app.photos.models import Photo
from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot, sign_in, wait_for_service_worker
from tests.conftest import Auth

ROOMS = ("Bedroom 1", "Bedroom 2", "Day room")
WAITING = "[data-outbox-bar] [data-outbox-status]"


def jpeg(seed: int) -> bytes:
    """A small camera-like JPEG (the device's downscale leaves it as it is, so checksums compare)."""
    image = Image.new("RGB", (640, 480), ((seed * 41) % 256, 90, (seed * 13) % 256))
    image.putpixel((seed, seed), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class Server:
    """The app on a fixed port, which a test can stop and start again (a real outage)."""

    def __init__(self, app, port: int = 0):
        self.app, self.port, self.srv = app, port, None

    def start(self):
        self.srv = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.srv.server_port
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def world(app):
    """The demo trust with an inspection of Larch Ward in progress; returns ids."""
    with app.app_context():
        seed_demo(now=utcnow())
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
        inspection = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Sam Okafor"],
                                                  by=inspector, now=utcnow())
        rooms = {r.name: r.id for r in db.session.scalars(select(Room).where(Room.ward_id == ward.id))}
        db.session.commit()
        ids = {"inspection": inspection.id, "rooms": rooms, "user": inspector.id}
        db.session.remove()
    return ids


@pytest.fixture
def server(app, world):
    running = Server(app).start()
    yield running
    try:
        running.stop()
    except OSError:
        pass


def counts(app) -> dict:
    with app.app_context():
        out = {name: db.session.scalar(select(func.count()).select_from(model))
               for name, model in (("points", Finding), ("photos", Photo), ("receipts", SyncReceipt))}
        db.session.remove()
    return out


def make_available_offline(page, base: str, inspection_id: int) -> None:
    page.goto(f"{base}/inspections/{inspection_id}")
    wait_for_service_worker(page)
    page.get_by_role("button", name="Make available offline").click()
    page.wait_for_selector("[data-pack-status]:has-text('Ready offline')", timeout=60_000)


def offline_tablet(browser, server, world):
    """A fresh tablet (one context: its service worker, caches and IndexedDB), signed in, with the
    inspection made available offline (still online)."""
    context = browser.new_context(viewport=TABLET, service_workers="allow")
    context.set_default_timeout(30_000)
    page = context.new_page()
    sign_in(page, server.url, "inspector@demo.nhs.test")
    make_available_offline(page, server.url, world["inspection"])
    return context, page


def record_point(page, base: str, world: dict, room: str, n: int) -> None:
    """Open the room (from the cache when offline), add a point with a photo, grade it, save."""
    page.goto(f"{base}/inspections/{world['inspection']}/rooms/{world['rooms'][room]}")
    page.get_by_role("link", name="Add a ligature point not on the checklist").click()
    page.wait_for_selector("form[data-op='finding.create']")
    page.set_input_files("input[name=photos]", files=[{"name": f"p{n}.jpg", "mimeType": "image/jpeg",
                                                       "buffer": jpeg(n)}])
    page.locator("input[name=load_bearing][value=full]").check()  # the form asks it first
    page.locator("input[name=grade][value='4x5']").check()
    page.locator("select[name=category]").select_option(index=1)
    page.locator("textarea[name=description]").fill(f"Offline point {n}")
    page.get_by_role("button", name="Save ligature point").click()
    page.wait_for_url(f"**/rooms/{world['rooms'][room]}")


def outbox_rows(page) -> list[dict]:
    return page.evaluate("""() => WSIOutbox.all().then(rows => rows.map(r => ({
        kind: r.kind, state: r.state, op_id: r.op_id, sha: r.files.map(f => f.sha256), result: r.result})))""")


def test_capture_offline_reload_sign_out_blocked_then_sync_exactly_once(app, world, server, browser):
    context, page = offline_tablet(browser, server, world)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    axe_check(page, context="ward overview with the offline pack")

    context.set_offline(True)
    plan = [ROOMS[0]] * 4 + [ROOMS[1]] * 3 + [ROOMS[2]] * 3
    for n, room in enumerate(plan):
        record_point(page, server.url, world, room, n)
    compliant = page.locator("[data-item-id] form[data-op=answer] button[value=compliant]").first
    compliant.click()  # an answer too, on the Day room page served from the cache
    assert counts(app)["points"] == 0  # nothing reached the server
    page.wait_for_selector(f"{WAITING}:has-text('Offline, 21 waiting')")
    exported = page.evaluate("WSIOutbox.exportUnsent({email: 'inspector@demo.nhs.test'})")
    assert len(exported["items"]) == 21 and sum(len(i["files"].get("photo", [])) for i in exported["items"]) == 10

    page.reload()  # offline: from the cache, and the captured points drawn from IndexedDB
    page.wait_for_selector("[data-outbox-pending] li")
    assert page.locator("[data-outbox-pending] li").count() == 3  # Day room's three
    assert page.locator("[data-photo-state=queued]").count() == 3
    assert compliant.get_attribute("aria-pressed") == "true"
    screenshot(page, "offline-room-pending")
    page.set_viewport_size(PHONE)
    screenshot(page, "offline-room-pending-phone")
    page.set_viewport_size(TABLET)
    axe_check(page, context="room page offline with pending points")

    page.get_by_role("button", name="Sign out").click()
    dialog = page.locator("[data-signout-dialog]")
    dialog.wait_for(state="visible")  # the count comes from IndexedDB, asynchronously
    assert "21 items have not reached the server" in dialog.inner_text()
    expect(page.get_by_role("button", name="Export unsent items")).to_be_visible()
    screenshot(page, "offline-signout-blocked")
    page.get_by_role("button", name="Stay signed in").click()

    context.set_offline(False)  # the online event starts the replay
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    rows = outbox_rows(page)
    assert len(rows) == 21 and {r["state"] for r in rows} == {"done"}
    assert counts(app) == {"points": 10, "photos": 10, "receipts": 21}
    # The file exported while offline imports cleanly afterwards and applies nothing twice.
    client = app.test_client()
    auth = Auth(client)
    auth.login("inspector@demo.nhs.test")
    report = auth.json("POST", "/api/v1/import", exported).json
    assert (report["applied"], report["already_synced"], report["refused"]) == (0, 21, 0)
    assert counts(app) == {"points": 10, "photos": 10, "receipts": 21}
    with app.app_context():
        stored = {r.op_id: r.result for r in db.session.scalars(select(SyncReceipt).where(SyncReceipt.kind == "photo.add"))}
        db.session.remove()
    sent = {hashlib.sha256(jpeg(n)).hexdigest() for n in range(10)}
    for row in (r for r in rows if r["kind"] == "photo.add"):
        assert row["sha"][0] == stored[row["op_id"]]["sha256"] == row["result"]["sha256"]
    assert {result["sha256"] for result in stored.values()} == sent
    page.reload()
    assert page.locator("[data-photo-state=done]").count() == 0  # the server's page shows them now
    assert not errors, errors
    context.close()


def test_server_outage_mid_sync_loses_and_duplicates_nothing(app, world, server, browser):
    context, page = offline_tablet(browser, server, world)
    context.set_offline(True)
    for n in range(4):
        record_point(page, server.url, world, ROOMS[n % 2], 20 + n)

    # The third operation is applied and committed, then the server dies before answering it.
    seen = {"ops": 0}
    inner = app.wsgi_app

    def dying(environ, start_response):
        if environ["PATH_INFO"] == "/api/v1/ops":
            seen["ops"] += 1
            if seen["ops"] == 3:
                list(inner(environ, lambda *a, **k: None))  # applied and committed
                threading.Thread(target=server.stop).start()
                environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)  # the answer never arrives
                return []
        return inner(environ, start_response)

    app.wsgi_app = dying
    try:
        context.set_offline(False)
        page.wait_for_selector(f"{WAITING}:has-text('Offline, 6 waiting')", timeout=30_000)
        assert page.evaluate("navigator.onLine") is True  # a real outage: the browser still thinks it is online
        assert counts(app)["receipts"] == 3
    finally:
        app.wsgi_app = inner
    server.start()  # the same port again
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    assert counts(app) == {"points": 4, "photos": 4, "receipts": 8}
    assert {r["state"] for r in outbox_rows(page)} == {"done"}
    context.close()


def test_session_ending_offline_keeps_items_until_signed_in_again(app, world, server, browser):
    context, page = offline_tablet(browser, server, world)
    context.set_offline(True)
    for n in range(2):
        record_point(page, server.url, world, ROOMS[0], 40 + n)
    with app.app_context():  # the session ends on the server (as after a password reset or time-out)
        user = db.session.get(User, world["user"])
        user.session_version += 1
        db.session.commit()
        db.session.remove()
    context.set_offline(False)
    page.wait_for_selector(f"{WAITING}:has-text('Signed out: sign in again to send 4 items waiting')")
    assert counts(app)["points"] == 0
    assert len([r for r in outbox_rows(page) if r["state"] == "queued"]) == 4
    screenshot(page, "offline-session-ended")
    sign_in(page, server.url, "inspector@demo.nhs.test")
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    assert counts(app) == {"points": 2, "photos": 2, "receipts": 4}
    context.close()


def test_room_access_point_edit_and_re_grade_offline_reach_the_server(app, world, server, browser):
    """The walk-through's other offline forms: a room marked not accessible, a point's details
    edited and the point re-graded, all while offline, each applied once when the tablet is back."""
    from inspect_app.actions.models import Action
    from inspect_app.findings import services as findings
    from inspect_app.findings.models import FindingGrade
    from inspect_app.inspections.models import Inspection, RoomVisit

    with app.app_context():  # a point recorded before the pack is made, so the pack holds its pages
        inspection = db.session.get(Inspection, world["inspection"])
        room = db.session.get(Room, world["rooms"]["Bedroom 1"])
        point = findings.record_finding(inspection=inspection, room=room, category="Door furniture",
                                        description="Door closer arm", likelihood=2, consequence=3,
                                        by=db.session.get(User, world["user"]), now=utcnow())
        db.session.commit()
        point_id = point.id
        db.session.remove()
    context, page = offline_tablet(browser, server, world)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    context.set_offline(True)

    page.goto(f"{server.url}/inspections/{world['inspection']}/rooms/{world['rooms']['Bedroom 2']}")
    page.locator("summary", has_text="Room not accessible?").click()
    page.fill("#reason", "Patient asleep; revisit after 14:00")
    page.get_by_role("button", name="Mark not accessible").click()
    page.wait_for_selector("[data-capture-note]:has-text('Saved on this device')")

    page.goto(f"{server.url}/ligature-points/{point_id}/edit")
    page.fill("#description", "Door closer arm, exposed on the corridor side")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_selector("[data-capture-note]:has-text('Saved on this device')")

    page.goto(f"{server.url}/ligature-points/{point_id}")
    page.locator("input[name=grade][value='4x5']").check()
    page.fill("#comment", "Worse than first thought")
    page.get_by_role("button", name="Save grade").click()
    # The new grade shows at the top of the page at once, as saved on the device (no reload).
    assert "New grade Extreme (score 20) saved on this device" in page.locator("[data-grade-pending]").inner_text()
    page.wait_for_selector(f"{WAITING}:has-text('Offline, 3 waiting')")
    with app.app_context():  # nothing reached the server
        assert db.session.scalar(select(func.count()).select_from(RoomVisit).where(RoomVisit.not_accessible)) == 0
        assert db.session.get(Finding, point_id).description == "Door closer arm"
        db.session.remove()

    context.set_offline(False)
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    assert {r["state"] for r in outbox_rows(page)} == {"done"} and len(outbox_rows(page)) == 3
    with app.app_context():
        visit = db.session.scalar(select(RoomVisit).where(RoomVisit.room_id == world["rooms"]["Bedroom 2"]))
        assert visit.not_accessible and visit.not_accessible_reason == "Patient asleep; revisit after 14:00"
        point = db.session.get(Finding, point_id)
        assert point.description == "Door closer arm, exposed on the corridor side"
        assert (point.likelihood, point.consequence, point.band) == (4, 5, "extreme")
        grades = db.session.scalars(select(FindingGrade).where(FindingGrade.finding_id == point_id)
                                    .order_by(FindingGrade.id)).all()
        assert [(g.likelihood, g.consequence) for g in grades] == [(2, 3), (4, 5)]  # re-grading adds, never overwrites
        assert db.session.scalar(select(Action.band).where(Action.finding_id == point_id)) == "extreme"
        assert db.session.scalar(select(func.count()).select_from(SyncReceipt)) == 3
        db.session.remove()
    assert not errors, errors
    context.close()


def test_product_check_made_offline_from_the_room_page_is_kept_and_synced_once(app, world, server, browser):
    from inspect_app.alerts import services as alerts
    from inspect_app.alerts.models import FixtureCheck

    with app.app_context():  # a fixture due for its check in the Day room, before the pack is made
        room = db.session.get(Room, world["rooms"]["Day room"])
        alerts.add_fixture(room, kind="curtain_rail", label="Collapsible curtain track", interval_days=30,
                           alert=None, by=None, now=utcnow())
        db.session.commit()
        db.session.remove()
    context, page = offline_tablet(browser, server, world)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    room_page = f"{server.url}/inspections/{world['inspection']}/rooms/{world['rooms']['Day room']}"

    context.set_offline(True)
    page.goto(room_page)  # from the cache
    page.get_by_role("link", name="Record check of Collapsible curtain track, Day room").click()
    page.wait_for_selector("form[data-op='fixture.check']")  # the form, from the ward pack
    page.get_by_role("button", name="Record check").click()  # no result chosen: refused on the device
    page.wait_for_selector("[data-capture-note]:has-text('Not saved')")
    assert "Choose pass or fail." in page.locator("form[data-op] [data-rule-error]").inner_text()
    page.locator("input[name=result][value=fail]").check()
    page.locator("textarea[name=notes]").fill("Track did not release under load")
    page.get_by_role("button", name="Record check").click()
    page.wait_for_url(room_page)  # back to the room, as the form would go online
    pending = page.locator("tr[data-fixture-id] [data-check-pending]")
    pending.wait_for()
    assert "Fail saved on this device" in pending.inner_text()
    page.wait_for_selector(f"{WAITING}:has-text('Offline, 1 waiting')")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FixtureCheck)) == 0
        db.session.remove()
    pending.scroll_into_view_if_needed()
    screenshot(page, "offline-product-check-pending")
    page.set_viewport_size(PHONE)
    screenshot(page, "offline-product-check-pending-phone")
    page.set_viewport_size(TABLET)
    axe_check(page, context="room page with a product check waiting offline")

    context.set_offline(False)
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    page.wait_for_selector("tr[data-fixture-id] [data-check-pending]:has-text('Fail recorded')")
    synced = page.locator("tr[data-fixture-id]").inner_text()
    assert "Never" not in synced and "Due soon" in synced  # the row as the server now has it
    with app.app_context():
        checks = db.session.scalars(select(FixtureCheck)).all()
        assert [(c.result, c.notes, c.inspection_id) for c in checks] == [
            ("fail", "Track did not release under load", world["inspection"])]
        db.session.remove()
    page.reload()
    assert "Track did not release under load" in page.locator("tr[data-fixture-id]").inner_text()
    assert page.locator("[data-check-pending]").count() == 0  # the server's row shows it now
    assert not errors, errors
    context.close()
