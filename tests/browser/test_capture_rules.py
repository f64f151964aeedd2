"""Field capture never queues what the server would refuse, and a refused item is corrected in its
form (photos kept): a real Chromium, offline and online, against the app on a real port."""
from __future__ import annotations

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from tests.browser.conftest import PHONE, TABLET, axe_check, screenshot
from tests.browser.test_offline import WAITING, counts, jpeg, offline_tablet, outbox_rows, server, world  # noqa: F401


def _new_point(page, base: str, world: dict, room: str = "Bedroom 1") -> None:
    page.goto(f"{base}/inspections/{world['inspection']}/rooms/{world['rooms'][room]}")
    page.get_by_role("link", name="Add a ligature point not on the checklist").click()
    page.wait_for_selector("form[data-op='finding.create'][data-rules]")


def _error_on(page, field: str) -> str:
    """The message shown in the box of ``field``, which is marked invalid and described by it."""
    control = page.locator(f"form[data-op] [name={field}]").first
    assert control.get_attribute("aria-invalid") == "true"
    described = control.get_attribute("aria-describedby").split()[0]
    return page.locator(f"#{described}").inner_text()


def _save_refused(page, field: str) -> str:
    page.get_by_role("button", name="Save ligature point").click()
    page.wait_for_selector(f"#rule-error-{field}")
    return _error_on(page, field)


def test_what_the_server_would_refuse_is_refused_on_the_form_offline(app, world, server, browser):
    context, page = offline_tablet(browser, server, world)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    context.set_offline(True)

    _new_point(page, server.url, world)
    page.get_by_role("button", name="Save ligature point").click()
    page.wait_for_selector("[data-capture-note]:has-text('Not saved')")
    assert "fixture category" in _error_on(page, "category")
    assert "grade" in _error_on(page, "grade")
    assert "photo" in _error_on(page, "photos")
    assert "bear a ligature" in _error_on(page, "load_bearing")
    screenshot(page, "capture-refused-on-form")
    page.set_viewport_size(PHONE)
    screenshot(page, "capture-refused-on-form-phone")
    page.set_viewport_size(TABLET)
    axe_check(page, context="point form with the rules' messages")

    # A photo this device cannot open is refused on its field, not queued.
    page.locator("select[name=category]").select_option(index=1)
    page.locator("input[name=load_bearing][value=full]").check()
    page.locator("input[name=grade][value='3x4']").check()
    assert "lower consequence" in _save_refused(page, "consequence_reason")  # load-bearing below 5: say why
    page.fill("#consequence_reason", "Hinge shears at 30 kg (tested)")
    page.set_input_files("input[name=photos]", files=[{"name": "broken.jpg", "mimeType": "image/jpeg",
                                                       "buffer": b"not a photo at all"}])
    page.get_by_role("button", name="Save ligature point").click()
    page.wait_for_selector("[data-rule-error]:has-text('could not be opened')")  # after the device tried it
    assert "could not be opened" in _error_on(page, "photos")
    assert page.locator("select[name=category]").get_attribute("aria-invalid") is None  # corrected: unmarked

    # "Room not accessible" with no reason is refused on the form too.
    page.goto(f"{server.url}/inspections/{world['inspection']}/rooms/{world['rooms']['Bedroom 2']}")
    page.locator("summary", has_text="Room not accessible?").click()
    page.fill("#reason", "   ")
    page.get_by_role("button", name="Mark not accessible").click()
    page.wait_for_selector("[data-capture-note]:has-text('Not saved')")
    assert "reason" in _error_on(page, "reason")
    assert outbox_rows(page) == []  # nothing was queued

    # A description alone (no photo) is enough to save it on the device.
    _new_point(page, server.url, world)
    page.locator("select[name=category]").select_option(index=1)
    page.locator("input[name=load_bearing][value=none]").check()
    page.fill("#load_bearing_reason", "Door is on a collapsing hinge (tested)")
    page.locator("input[name=grade][value='3x4']").click()
    page.fill("#description", "Wardrobe door hinge")
    page.get_by_role("button", name="Save ligature point").click()
    page.wait_for_url(f"**/rooms/{world['rooms']['Bedroom 1']}")
    context.set_offline(False)
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    assert counts(app)["points"] == 1
    assert not errors, errors
    context.close()


def test_refused_point_opens_in_its_form_with_the_message_and_keeps_its_photo(app, world, server, browser):
    """A point captured by a page whose rules were out of date (no data-rules) is refused by the
    server; "Correct it" opens the form with the server's message on the field and the photo kept;
    once corrected, the point and its photo reach the server once."""
    context, page = offline_tablet(browser, server, world)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    context.set_offline(True)
    _new_point(page, server.url, world)
    page.evaluate("document.querySelector('form[data-op]').removeAttribute('data-rules')")  # an older page
    page.set_input_files("input[name=photos]", files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": jpeg(7)}])
    page.locator("input[name=grade][value='4x5']").check()
    page.fill("#location", "Above the wardrobe")
    page.get_by_role("button", name="Save ligature point").click()  # no category
    page.wait_for_url(f"**/rooms/{world['rooms']['Bedroom 1']}")

    context.set_offline(False)
    page.wait_for_selector(f"{WAITING}:has-text('need attention')", timeout=60_000)
    assert {r["kind"]: r["state"] for r in outbox_rows(page)} == {"finding.create": "needs-attention",
                                                                  "photo.add": "needs-attention"}
    page.locator("[data-outbox-bar] summary").click()
    page.get_by_role("link", name="Correct it").click()
    page.wait_for_selector("[data-correction-banner]")
    assert "fixture category" in _error_on(page, "category")
    assert page.locator("#location").input_value() == "Above the wardrobe"
    assert page.locator("input[name=grade][value='4x5']").is_checked()
    assert "1 photo is kept" in page.locator("[data-correction-banner]").inner_text()
    screenshot(page, "capture-correct-refused")
    axe_check(page, context="a refused point reopened in its form")

    page.locator("select[name=category]").select_option("Furniture")
    page.locator("input[name=load_bearing][value=full]").check()  # the form now asks it
    page.get_by_role("button", name="Save ligature point").click()
    page.wait_for_url(f"**/rooms/{world['rooms']['Bedroom 1']}")
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    assert counts(app) == {"points": 1, "photos": 1, "receipts": 2}
    with app.app_context():
        point = db.session.scalar(select(Finding))
        assert (point.category, point.location, point.band) == ("Furniture", "Above the wardrobe", "extreme")
        db.session.remove()
    assert not errors, errors
    context.close()


def test_point_withdrawn_offline_as_recorded_in_error_reaches_the_server_once(app, world, server, browser):
    """On a tablet offline, the recorder withdraws a point with a reason (a blank reason is refused on
    the form); back online, the point leaves the room's figures and its action is cancelled, not deleted."""
    from inspect_app.actions.models import Action
    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.estates.models import Room
    from inspect_app.findings import services as findings
    from inspect_app.inspections.models import Inspection

    with app.app_context():  # an Extreme point (so it has an action) recorded before the pack is made
        point = findings.record_finding(inspection=db.session.get(Inspection, world["inspection"]),
                                        room=db.session.get(Room, world["rooms"]["Bedroom 1"]),
                                        category="Door furniture", description="Door closer arm", likelihood=5,
                                        consequence=5, by=db.session.get(User, world["user"]), now=utcnow())
        db.session.commit()
        point_id = point.id
        db.session.remove()
    context, page = offline_tablet(browser, server, world)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    context.set_offline(True)
    page.goto(f"{server.url}/ligature-points/{point_id}#withdraw")  # from the cache
    page.get_by_role("button", name="Withdraw as recorded in error").click()
    page.wait_for_selector("[data-capture-note]:has-text('Not saved')")
    assert "recorded in error" in _error_on(page, "reason")
    page.fill("#withdraw-reason", "Same closer as the one on the en-suite door, recorded twice")
    page.get_by_role("button", name="Withdraw as recorded in error").click()
    page.wait_for_selector("[data-capture-note]:has-text('Saved on this device')")
    axe_check(page, context="point page after an offline withdrawal")
    context.set_offline(False)
    page.wait_for_selector(f"{WAITING}:has-text('All saved')", timeout=60_000)
    with app.app_context():
        stored = db.session.get(Finding, point_id)
        assert (stored.state, stored.withdrawn_reason) == ("removed", "Same closer as the one on the en-suite door, "
                                                                      "recorded twice")
        assert db.session.scalar(select(Action.status).where(Action.finding_id == point_id)) == "cancelled"
        db.session.remove()
    page.goto(f"{server.url}/ligature-points/{point_id}")
    assert "Recorded in error: withdrawn" in page.locator("[data-withdrawn]").inner_text()
    assert not errors, errors
    context.close()
