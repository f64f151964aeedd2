"""The audit trail pages: who may see them, filters, per-inspection and per-action trails, CSV."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from inspect_app.actions.models import Action
from inspect_app.audit.services import record
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.inspections import services as inspections


@pytest.fixture
def trail(demo):
    """An inspection on Larch Ward with an Extreme point (hence an action), and a hostile comment."""
    inspector = db.session.get(User, demo["users"]["inspector"])
    ward = db.session.get(Ward, demo["wards"]["Larch Ward"])
    inspection = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Sam Okafor"],
                                              by=inspector, now=utcnow())
    room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Bedroom 1"))
    finding = findings.record_finding(inspection=inspection, room=room, category="Door furniture",
                                      description="Door closer arm", likelihood=4, consequence=5,
                                      by=inspector, now=utcnow())
    action = db.session.scalar(select(Action).where(Action.finding_id == finding.id))
    record("action.comment", action, by=inspector, now=utcnow(), ward_id=ward.id, action_id=action.id,
           comment='=HYPERLINK("http://evil.example","click")')
    db.session.commit()
    return {"inspection": inspection.id, "action": action.id, "ward": ward.id, "inspector": inspector.id}


@pytest.mark.parametrize("email, status", [
    ("admin@demo.nhs.test", 200), ("safety@demo.nhs.test", 200),
    ("manager@demo.nhs.test", 403), ("inspector@demo.nhs.test", 403),
])
def test_only_admins_and_safety_leads_see_the_trail(auth, trail, email, status):
    auth.login(email)
    assert auth.client.get("/audit/").status_code == status
    assert auth.client.get("/audit/export.csv").status_code == status
    assert auth.client.get(f"/audit/inspections/{trail['inspection']}").status_code == status


def test_inspection_trail_shows_only_that_inspection(auth, trail):
    auth.login("safety@demo.nhs.test")
    page = auth.client.get(f"/audit/inspections/{trail['inspection']}").get_data(as_text=True)
    assert "Audit trail for inspection INS-" in page
    assert "inspection.start" in page and "finding.create" in page
    assert "user.sign_in" not in page


def test_action_trail_shows_its_events(auth, trail):
    auth.login("admin@demo.nhs.test")
    page = auth.client.get(f"/audit/actions/{trail['action']}").get_data(as_text=True)
    assert "action.create" in page and "action.comment" in page and "inspection.start" not in page


def test_unknown_records_are_404(auth, trail):
    auth.login("admin@demo.nhs.test")
    assert auth.client.get("/audit/inspections/999999").status_code == 404
    assert auth.client.get("/audit/actions/999999").status_code == 404


def test_filters_by_verb_user_and_date(auth, trail):
    auth.login("admin@demo.nhs.test")
    by_verb = auth.client.get("/audit/?verb=finding").get_data(as_text=True)
    assert "finding.create" in by_verb and "inspection.start" not in by_verb
    by_user = auth.client.get(f"/audit/?user={trail['inspector']}").get_data(as_text=True)
    assert "inspection.start" in by_user and "user.sign_in" not in by_user  # the admin signed in, not Sam
    future = auth.client.get("/audit/?date_from=2999-01-01").get_data(as_text=True)
    assert "No audit events match" in future


@pytest.mark.parametrize("query", ["ward=abc", "user=99999", "inspection=-1", "date_from=31/31/2024",
                                   "date_from=2025-02-01&date_to=2025-01-01", "verb=DROP%20TABLE", "page=0",
                                   "verb=" + "a" * 200])
def test_bad_filters_get_a_clear_400(auth, trail, query):
    auth.login("admin@demo.nhs.test")
    response = auth.client.get(f"/audit/?{query}")
    assert response.status_code == 400
    if not query.startswith("page"):  # the export has no pages
        assert auth.client.get(f"/audit/export.csv?{query}").status_code == 400


def test_csv_export_has_bom_header_and_defused_formulas(auth, trail):
    auth.login("safety@demo.nhs.test")
    response = auth.client.get(f"/audit/export.csv?action={trail['action']}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Time (UTC)", "User", "Role", "Action"]
    verbs = [r[3] for r in rows[1:]]
    assert "action.comment" in verbs and "action.create" in verbs and "inspection.start" not in verbs
    comment = next(r for r in rows[1:] if r[3] == "action.comment")[11]
    assert comment == "'=HYPERLINK(\"http://evil.example\",\"click\")"


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+44 7700", "'+44 7700"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTAB", "'\tTAB"), ("\rCR", "'\rCR"), ("plain", "plain"), (None, ""), (42, "42"),
    ({"a": "=x"}, '{"a": "=x"}'),
])
def test_formula_escaping_of_cells(value, expected):
    from inspect_app.audit.export import safe_cell

    assert safe_cell(value) == expected
