"""Tracker and label-sheet PDFs, the room QR link, and the progress page of a slow build."""
from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import select

from inspect_app.clock import utcnow
from inspect_app.estates.models import Room
from inspect_app.extensions import db
from tests.fixtures.reports import fetch_pdf, pdf_pages, qr_payloads


def test_tracker_lists_open_actions_by_band_then_most_overdue_first(auth, make_action):
    old = utcnow() - timedelta(days=400)
    overdue_high = make_action(likelihood=3, consequence=4, room="Day room", now=old, description="High, late")
    make_action(likelihood=3, consequence=4, room="Quiet room", description="High, on time")
    make_action(likelihood=4, consequence=5, room="Dining room", description="Extreme")
    make_action(ward="Rowan Ward", likelihood=2, consequence=2, room="Day room", description="Moderate elsewhere")
    auth.login("safety@demo.nhs.test")
    response = fetch_pdf(auth.client, "/reports/tracker.pdf?status=open")
    assert response.status_code == 200
    assert re.search(r'filename="?remediation-tracker-whole-trust-\d{4}-\d\d-\d\d\.pdf', response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "private, no-store"
    text = "\n".join(pdf_pages(response.data))
    refs = re.findall(r"ACT-\d{5}", text)
    order = list(dict.fromkeys(refs))
    assert len(order) == 4
    assert order[1] == overdue_high.ref  # after the extreme one, the overdue high one leads the highs
    assert "Rowan Ward" in text and "Filters applied" in text


def test_ward_manager_tracker_shows_only_their_wards_and_404s_another_ward_filter(auth, make_action, demo):
    make_action(ward="Larch Ward", room="Day room")
    make_action(ward="Rowan Ward", room="Day room")
    auth.login("manager@demo.nhs.test")
    text = "\n".join(pdf_pages(fetch_pdf(auth.client, "/reports/tracker.pdf").data))
    assert "Larch Ward" in text and "Rowan Ward" not in text
    assert auth.client.get(f"/reports/tracker.pdf?ward={demo['wards']['Rowan Ward']}").status_code == 404


def test_label_sheet_qr_codes_carry_each_rooms_link(app, auth, demo, tmp_path):
    ward_id = demo["wards"]["Willow Ward"]
    auth.login("inspector@demo.nhs.test")
    response = fetch_pdf(auth.client, f"/reports/wards/{ward_id}/labels.pdf")
    assert response.status_code == 200
    assert re.search(r'filename="?room-labels-willow-ward-\d{4}-\d\d-\d\d\.pdf', response.headers["Content-Disposition"])
    with app.app_context():
        rooms = list(db.session.scalars(select(Room).where(Room.ward_id == ward_id).order_by(Room.position, Room.id)))
    pages = pdf_pages(response.data)
    assert len(pages) == -(-len(rooms) // 10)
    assert all("OFFICIAL-SENSITIVE" in page for page in pages)
    # BASE_URL unset: the address the request came in on (the test client's).
    assert qr_payloads(response.data, tmp_path) == sorted(f"http://localhost/r/{room.id}" for room in rooms[:10])
    app.config["BASE_URL"] = "https://inspect.example.nhs.uk/"
    served = fetch_pdf(auth.client, f"/reports/wards/{ward_id}/labels.pdf")
    assert qr_payloads(served.data, tmp_path) == sorted(f"https://inspect.example.nhs.uk/r/{room.id}"
                                                       for room in rooms[:10])


def test_room_link_opens_the_room_in_the_wards_current_inspection(app, auth, make_report_inspection):
    made = make_report_inspection(signed=False, previous=False)
    room = made.rooms[1]
    assert auth.client.get(f"/r/{room.id}").status_code == 302  # to sign-in first
    auth.login("inspector@demo.nhs.test")
    response = auth.client.get(f"/r/{room.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/inspections/{made.inspection.id}/rooms/{room.id}")


def test_room_link_for_a_ward_never_inspected_explains_itself(auth, demo):
    with auth.client.application.app_context():
        room = db.session.scalar(select(Room).where(Room.ward_id == demo["wards"]["Alder Ward"]))
    auth.login("inspector@demo.nhs.test")
    response = auth.client.get(f"/r/{room.id}")
    assert response.status_code == 404 and "has not been inspected yet" in response.get_data(as_text=True)
    auth.logout()
    auth.login("manager@demo.nhs.test")  # not their ward
    assert "has not been" not in auth.client.get(f"/r/{room.id}").get_data(as_text=True)


def _poll(client, status_url, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        state = client.get(status_url).get_json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.1)
    raise AssertionError("the report never finished")


def test_slow_build_shows_a_progress_page_then_the_download(app, auth, make_report_inspection):
    made = make_report_inspection()
    app.config["REPORT_INLINE_SECONDS"] = 0  # treat every build as slow
    auth.login("safety@demo.nhs.test")
    response = auth.client.get(f"/reports/inspections/{made.inspection.id}.pdf")
    assert response.status_code == 303
    page_url = response.headers["Location"]
    page = auth.client.get(page_url).get_data(as_text=True)
    assert re.search(r"Building report…|Waiting for another report|Your report is ready", page)
    assert re.search(r"of 5 ligature points|preparing 5 ligature points|is ready|Waiting", page)
    token = page_url.rstrip("/").rsplit("/", 1)[1]
    state = _poll(auth.client, f"/reports/jobs/{token}/status.json")
    assert state["status"] == "done" and state["done"] == state["total"] == 5
    assert state["unit"] == "ligature points"
    done_page = auth.client.get(page_url).get_data(as_text=True)
    assert "Your report is ready" in done_page and 'http-equiv="refresh"' not in done_page
    with auth.client.get(state["download"]) as download:
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
        assert download.headers["Cache-Control"] == "private, no-store"
        assert download.headers["Content-Disposition"].startswith("attachment;")
    auth.logout()
    auth.login("inspector@demo.nhs.test")  # someone else's job is not found
    assert auth.client.get(page_url).status_code == 404
    assert auth.client.get(state["download"]).status_code == 404


def test_progress_page_refreshes_itself_without_javascript_while_building(app, auth, make_report_inspection):
    from inspect_app.reports import jobs

    made = make_report_inspection(previous=False)
    with app.test_request_context():
        state = jobs.JobState("a" * 24, made.inspection.lead_inspector_id, "x.pdf", "ligature points",
                              "building", 120, 300)
        jobs._states().save(state)
    auth.login("inspector@demo.nhs.test")
    page = auth.client.get(f"/reports/jobs/{'a' * 24}").get_data(as_text=True)
    assert "Building report… 120 of 300 ligature points" in page
    assert '<noscript><meta http-equiv="refresh" content="1"></noscript>' in page
    assert "js/report-job.js" in page


def test_a_ward_managers_tall_interim_control_does_not_break_the_tracker_for_anyone(auth, make_action):
    # The probe: 2,000 characters of short lines (within the limit) made a cell taller than a page.
    action = make_action(ward="Larch Ward", room="Day room")
    base = f"/actions/{action.id}"
    auth.login("manager@demo.nhs.test")
    review = (utcnow() + timedelta(days=5)).date().isoformat()  # within the band's interim review cap
    control = "Check\n" * 333
    response = auth.post(f"{base}/move/interim_control", {
        "interim_control-control_type": "temporary_cover", "interim_control-control": control,
        "interim_control-control_by": "Priya Raman", "interim_control-review_date": review}, page=base)
    assert response.status_code == 302, response.get_data(as_text=True)
    for who in ("manager@demo.nhs.test", "safety@demo.nhs.test"):
        auth.logout()
        auth.login(who)
        response = fetch_pdf(auth.client, "/reports/tracker.pdf")
        assert response.status_code == 200
        assert "\n".join(pdf_pages(response.data)).count("Check") == 333
