"""Alert register, dashboard, drafting and product-check screens through the test client."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from inspect_app.alerts.models import Alert, FixtureCheck
from inspect_app.checklists.models import ChecklistTemplate
from inspect_app.domain.workflow import Role
from inspect_app.extensions import db
from tests.conftest import Auth
from tests.functional.test_access import LOGINS

MINE = ("alerts.", "alert_dashboard.", "alert_drafts.", "fixture_checks.")


def _my_endpoints(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(MINE):
            url = rule.build({arg: 1 for arg in rule.arguments})[1]
            method = "GET" if "GET" in rule.methods else "POST"
            yield rule.endpoint, url, method, app.view_functions[rule.endpoint].allowed_roles


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_alert_endpoints(app, demo, make_fixture, role):
    make_fixture()  # fixture id 1 exists, on a ward the demo ward manager manages
    client = app.test_client()
    auth = Auth(client)
    auth.login(LOGINS[role])
    token = auth.token("/")
    for endpoint, url, method, allowed in _my_endpoints(app):
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        if role in allowed:
            assert response.status_code < 500 and response.status_code not in (401, 403), (endpoint, response.status_code)
        else:
            assert response.status_code == 403, (endpoint, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in_from_alert_pages(app, demo):
    client = app.test_client()
    for endpoint, url, method, _ in _my_endpoints(app):
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code in (302, 400), endpoint  # 400: CSRF refuses a tokenless POST first
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]


def test_an_admin_records_an_alert_and_a_bad_date_order_is_refused_without_saving(client, auth, demo):
    auth.login("admin@demo.nhs.test")
    form = {"reference": "EFA/2099/001", "title": "Door-top alarms: failures", "issuing_body": "NHS England",
            "issued_on": "2025-03-01", "action_underway_by": "2025-05-01", "action_complete_by": "2025-04-01",
            "restricted": "y", "patient_groups": ["acute", "picu"], "area_type_codes": ["BED"]}
    bad = auth.post("/alerts/new", form, page="/alerts/new")
    assert bad.status_code == 400
    assert "cannot be before the action-underway date" in bad.get_data(as_text=True)
    assert db.session.scalar(select(Alert).where(Alert.reference == "EFA/2099/001")) is None
    good = auth.post("/alerts/new", {**form, "action_complete_by": "2025-09-01"}, page="/alerts/new")
    assert good.status_code == 302
    alert = db.session.scalar(select(Alert).where(Alert.reference == "EFA/2099/001"))
    assert alert.patient_groups == ["acute", "picu"] and alert.area_type_codes == ["BED"]
    page = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "Wards not yet assessed against this alert (2)" in page  # Larch (acute) and Willow (PICU)


def test_not_applicable_needs_a_reason_and_records_who_and_when(client, auth, demo):
    auth.login("safety@demo.nhs.test")
    alert = db.session.scalar(select(Alert).where(Alert.reference == "EFA/2019/003"))
    page = f"/alerts/{alert.id}"
    refused = auth.post(f"/alerts/{alert.id}/response", {"status": "not_applicable"}, page=page,
                        follow_redirects=True)
    assert "Say why the alert does not apply" in refused.get_data(as_text=True)
    auth.post(f"/alerts/{alert.id}/response", {"status": "underway", "note": "Survey booked"}, page=page)
    db.session.refresh(alert)
    assert alert.response_status == "underway" and alert.response_by.name == "Dr Helen Marsh"
    html = client.get(page).get_data(as_text=True)
    assert "Action underway" in html and "Survey booked" in html


def test_overdue_deadlines_say_overdue_in_words_on_the_dashboard(client, auth, demo, make_alert):
    from datetime import date

    make_alert(reference="EFA/2001/001", title="Old alert", issued_on=date(2001, 1, 1),
               action_underway_by=date(2001, 2, 1), action_complete_by=date(2001, 6, 1))
    auth.login("safety@demo.nhs.test")
    html = client.get("/alerts/dashboard").get_data(as_text=True)
    assert 'class="deadline deadline--overdue"' in html and "Overdue by" in html
    assert html.count("Not yet assessed") >= 6


def test_the_evidence_pdf_downloads_for_the_safety_lead(client, auth, demo):
    auth.login("safety@demo.nhs.test")
    alert = db.session.scalar(select(Alert).where(Alert.reference == "EFA/2019/003"))
    response = client.get(f"/alerts/{alert.id}/evidence.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "alert-response-evidence-EFA-2019-003.pdf" in response.headers["Content-Disposition"]


def test_an_admin_drafts_a_version_from_an_items_file_and_publishes_it(client, auth, demo, make_alert):
    alert = make_alert(reference="EFA/2099/300", title="Door-top alarms")
    base = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.status == "published"))
    auth.login("admin@demo.nhs.test")
    items = {"area_types": [{"code": "BED", "items": [
        {"code": "BED-90", "category": "Doors & door furniture", "prompt": "Does the door-top alarm sound?"}]}]}
    response = auth.post(f"/alerts/{alert.id}/drafts",
                         {"draft-template_id": base.id, "draft-version": "2.1",
                          "items": (io.BytesIO(json.dumps(items).encode()), "items.json")},
                         page=f"/alerts/{alert.id}", content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    editor = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "BED-90" in editor and "Items citing the alert (1)" in editor
    assert "Items added: 1" in editor and "Larch Ward" in editor  # what changes, and where, before publishing
    draft = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.version == "2.1"))
    unconfirmed = auth.post(f"/alerts/{alert.id}/drafts/{draft.id}/publish", {}, page=response.headers["Location"])
    assert unconfirmed.status_code == 303 and db.session.get(ChecklistTemplate, draft.id).status == "draft"
    published = auth.post(f"/alerts/{alert.id}/drafts/{draft.id}/publish", {"confirm": "y"},
                          page=response.headers["Location"])
    assert published.status_code == 302
    db.session.refresh(draft)
    assert draft.status == "published"
    detail = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "Wards not yet assessed against this alert (6)" in detail


def test_a_bad_items_file_is_refused_and_no_draft_is_left(client, auth, demo, make_alert):
    alert = make_alert()
    base = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.status == "published"))
    auth.login("admin@demo.nhs.test")
    response = auth.post(f"/alerts/{alert.id}/drafts",
                         {"draft-template_id": base.id, "draft-version": "1.2",
                          "items": (io.BytesIO(b"{not json"), "items.json")},
                         page=f"/alerts/{alert.id}", content_type="multipart/form-data", follow_redirects=True)
    assert "not valid JSON" in response.get_data(as_text=True)
    assert db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.version == "1.2")) is None


def test_a_ward_manager_records_a_check_from_the_walk_through_and_returns_there(client, auth, demo, make_fixture):
    fixture = make_fixture()
    auth.login("manager@demo.nhs.test")
    url = f"/checks/fixtures/{fixture.id}/check?next=/inspections/1/rooms/2"
    failed = auth.post(url, {"result": "fail", "notes": ""}, page=url)
    assert failed.status_code == 400 and "Say what failed" in failed.get_data(as_text=True)
    done = auth.post(url, {"result": "pass", "notes": "Released at load", "next": "/inspections/1/rooms/2"},
                     page=url)
    assert done.status_code == 302 and done.headers["Location"].endswith("/inspections/1/rooms/2")
    assert db.session.scalar(select(FixtureCheck)).result == "pass"


def test_record_check_ignores_an_offsite_next_and_hides_other_wards(client, auth, demo, make_fixture):
    mine = make_fixture()
    other = make_fixture("Hazel Ward", "Bedroom 1")
    auth.login("manager@demo.nhs.test")
    url = f"/checks/fixtures/{mine.id}/check"
    done = auth.post(url, {"result": "pass", "next": "//evil.example/"}, page=url)
    assert done.headers["Location"].endswith(f"/checks/wards/{mine.room.ward_id}")
    assert client.get(f"/checks/fixtures/{other.id}/check").status_code == 404
    assert client.get(f"/checks/wards/{other.room.ward_id}").status_code == 404
