"""The ligature briefing: ward staff read it and confirm; a new Extreme point or a changed map
makes it due again; the ward manager sees who has read the current version; the hot-spot map
PDF carries the marking, the numbered pins and the key; ward staff reach nothing else."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.briefings import services as briefings
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Trust, Ward
from inspect_app.extensions import db
from inspect_app.photos import services as photos
from inspect_app.plans import services as plans
from tests.fixtures.offline import Device, jpeg
from tests.fixtures.plans import extreme_point, plan_png
from tests.functional.test_access import _endpoints

STAFF_ENDPOINTS = {"auth.logout", "auth.password", "auth.sign_out_everywhere", "home.index", "api.csrf", "api.me",
                   "api.apply_op", "api.import_unsent", "api.openapi_document", "photos.file", "plans.image",
                   "briefings.show", "briefings.confirm", "briefings.hotspot_pdf"}


def _confirm_form(auth, ward_id: int):
    return auth.post(f"/wards/{ward_id}/briefing/confirm",
                     {"version": briefings.current_version(ward_id)}, page=f"/wards/{ward_id}/briefing")


def test_ward_staff_are_let_in_only_where_a_view_names_them(app):
    staff = {endpoint for endpoint, _, _, allowed in _endpoints(app)
             if allowed != "public" and Role.WARD_STAFF in allowed}
    assert staff == STAFF_ENDPOINTS


def test_briefing_falls_due_again_after_a_new_extreme_point_or_a_changed_map(auth, planned_ward):
    ward_id = planned_ward["ward"].id
    auth.login("staff@demo.nhs.test")
    assert "Briefing due" in auth.client.get("/").get_data(as_text=True)
    assert _confirm_form(auth, ward_id).status_code == 303
    page = auth.client.get(f"/wards/{ward_id}/briefing").get_data(as_text=True)
    assert "You have read this version" in page and "Who has read" not in page  # readers: managers only
    assert "Briefing read" in auth.client.get("/").get_data(as_text=True)

    extreme_point(planned_ward)  # recorded by the inspector on the ward
    assert "Your confirmation is due" in auth.client.get(f"/wards/{ward_id}/briefing").get_data(as_text=True)
    assert _confirm_form(auth, ward_id).status_code == 303

    plans.place_room(planned_ward["rooms"]["Bedroom 2"], x=0.7, y=0.2, by=planned_ward["admin"], now=utcnow())
    db.session.commit()
    assert "Your confirmation is due" in auth.client.get(f"/wards/{ward_id}/briefing").get_data(as_text=True)


def test_a_confirmation_of_an_older_version_is_refused(auth, planned_ward):
    ward_id = planned_ward["ward"].id
    auth.login("staff@demo.nhs.test")
    stale = briefings.current_version(ward_id)
    extreme_point(planned_ward)
    response = auth.post(f"/wards/{ward_id}/briefing/confirm", {"version": stale}, page=f"/wards/{ward_id}/briefing")
    assert response.status_code == 422 and "has changed since you opened it" in response.get_data(as_text=True)


def test_manager_sees_who_has_read_the_current_version(auth, planned_ward):
    ward_id = planned_ward["ward"].id
    auth.login("staff@demo.nhs.test")
    device = Device(auth)
    version = briefings.current_version(ward_id)
    sent = device.send(device.op("briefing.confirm", {"ward_id": ward_id, "version": version}))
    assert sent.status_code == 200 and sent.json["result"]["version"] == briefings.current_version(ward_id)
    assert device.send(device.op("briefing.confirm", {"ward_id": ward_id})).status_code == 200  # again: one row
    pin = device.send(device.op("point.pin", {"finding_id": 1, "x": "1", "y": "1"}))
    assert pin.status_code == 403
    auth.logout()
    auth.login("manager@demo.nhs.test")
    page = auth.client.get(f"/wards/{ward_id}/briefing").get_data(as_text=True)
    assert "1 of 2 confirmed" in page  # Jordan Ellis (ward staff) has; Priya Raman (manager) has not
    assert "Jordan Ellis" in page and "Priya Raman" in page


def test_ward_staff_see_only_their_wards_and_photos_only_when_the_trust_allows(auth, planned_ward, demo):
    point = extreme_point(planned_ward)
    photo = photos.store_photo(jpeg(3), ward_id=point.ward_id, finding=point, by=planned_ward["inspector"],
                               now=utcnow(), inspection_id=planned_ward["inspection"].id)
    db.session.commit()
    auth.login("staff@demo.nhs.test")
    assert auth.client.get(f"/wards/{demo['wards']['Willow Ward']}/briefing").status_code == 404
    assert auth.client.get(f"/ligature-points/{point.id}").status_code == 403
    page = auth.client.get(f"/wards/{planned_ward['ward'].id}/briefing").get_data(as_text=True)
    assert point.ref in page and f"/ligature-points/{point.id}" not in page  # the hazard, read-only
    assert f"/photos/{photo.uuid}" not in page
    with auth.client.get(f"/photos/{photo.uuid}/thumb.jpg") as hidden:
        assert hidden.status_code == 404
    trust = db.session.scalars(select(Trust)).first()
    briefings.set_staff_photos(trust, enabled=True, by=db.session.get(User, demo["users"]["admin"]), now=utcnow())
    db.session.commit()
    with auth.client.get(f"/photos/{photo.uuid}/thumb.jpg") as shown:
        assert shown.status_code == 200
    shown_page = auth.client.get(f"/wards/{point.ward_id}/briefing").get_data(as_text=True)
    assert f"/photos/{photo.uuid}/thumb.jpg" in shown_page


def test_hot_spot_map_pdf_has_the_marking_the_numbered_pins_and_the_key(auth, planned_ward):
    first = extreme_point(planned_ward, room_name="Bedroom 1", description="Window restrictor cable")
    extreme_point(planned_ward, room_name="Bedroom 2", description="Exposed pipe above basin")
    plans.pin_point(first, x=0.2, y=0.3, by=planned_ward["admin"], now=utcnow())
    db.session.commit()
    auth.login("staff@demo.nhs.test")
    response = auth.client.get(f"/wards/{planned_ward['ward'].id}/hot-spot-map.pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())  # words wrap in the key's narrow columns
    assert text.count("OFFICIAL-SENSITIVE") == 2
    assert "Ligature hot-spot map: Larch Ward" in text and "Key: 2 open ligature points" in text
    for words in ("Window restrictor cable", "Exposed pipe above basin", "Bedroom 1", "Bedroom 2", "Extreme",
                  first.ref):
        assert words in text
    assert reader.pages[0].images  # the plan itself


def test_inspection_report_carries_the_plan_with_its_points(auth, planned_ward):
    point = extreme_point(planned_ward, room_name="Bedroom 1", description="Window restrictor cable")
    auth.login("safety@demo.nhs.test")
    response = auth.client.get(f"/reports/inspections/{planned_ward['inspection'].id}.pdf")
    assert response.status_code == 200
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.data)).pages]
    plan_page = next(text for text in pages if "Floor plan: ligature points still present" in text)
    assert point.ref in plan_page and "Window restrictor cable" in plan_page
    html = auth.client.get(f"/reports/inspections/{planned_ward['inspection'].id}").get_data(as_text=True)
    assert "Floor plan: ligature points still present" in html and 'data-pin="1"' in html


def test_new_routes_keep_to_the_wards_a_person_may_see(auth, demo, planned_ward):
    other = demo["wards"]["Rowan Ward"]  # not one the demo ward manager manages
    plan = plans.upload_plan(plan_png(), ward=db.session.get(Ward, other), by=planned_ward["admin"], now=utcnow())
    db.session.commit()
    auth.login("manager@demo.nhs.test")
    for url in (f"/wards/{other}/briefing", f"/wards/{other}/hot-spot-map.pdf", f"/plans/{plan.uuid}.jpg"):
        assert auth.client.get(url).status_code == 404, url
    assert auth.post(f"/wards/{other}/briefing/confirm", {"version": ""}).status_code == 404
    device = Device(auth)
    assert device.send(device.op("briefing.confirm", {"ward_id": other})).status_code == 404
    with auth.client.get(f"/plans/{planned_ward['plan'].uuid}.jpg") as own:
        assert own.status_code == 200
    for url in (f"/admin/wards/{other}/plan", f"/ligature-points/{extreme_point(planned_ward).id}/pin"):
        assert auth.client.get(url).status_code == 403, url


def test_admin_assigns_a_ward_staff_account_to_wards_it_works_on_not_manages(auth, demo):
    larch = demo["wards"]["Larch Ward"]
    auth.login("admin@demo.nhs.test")
    created = auth.post("/admin/users/new", {"email": "nurse@demo.nhs.test", "name": "Ola Nurse", "role": "ward_staff",
                                             "wards": [larch], "password": "a-long-temporary-passphrase-77"},
                        page="/admin/users/new")
    assert created.status_code == 302
    nurse = db.session.scalar(select(User).where(User.email == "nurse@demo.nhs.test"))
    assert [w.id for w in nurse.staff_wards] == [larch] and nurse.managed_wards == []
    assert "Ola Nurse" not in {u.name for u in db.session.get(Ward, larch).managers}
    form = auth.client.get(f"/admin/users/{nurse.id}").get_data(as_text=True)
    assert f'<option selected value="{larch}">' in form or f'value="{larch}" selected' in form
