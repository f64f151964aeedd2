"""Remediation pages: ward scoping, the ward manager's list and acknowledgement, the safety lead
dashboard, home-page attention counts and CSV exports."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from inspect_app.actions.csv_export import safe_cell
from inspect_app.actions.models import ActionEvent
from inspect_app.audit.models import AuditEvent
from inspect_app.clock import utcnow
from inspect_app.extensions import db
from tests.fixtures.remediation import NOT_BEARING


def test_ward_manager_sees_only_their_wards_and_gets_404_for_others(make_action, auth):
    mine = make_action(ward="Larch Ward", description="Wardrobe rail")
    other = make_action(ward="Rowan Ward", description="Curtain track")
    auth.login("manager@demo.nhs.test")
    page = auth.client.get("/actions/").get_data(as_text=True)
    assert "Wardrobe rail" in page and "Curtain track" not in page
    assert auth.client.get(f"/actions/{mine.id}").status_code == 200
    assert auth.client.get(f"/actions/{other.id}").status_code == 404
    base = f"/actions/{other.id}"
    assert auth.post(f"{base}/comment", {"comment-text": "hi"}, page="/").status_code == 404
    csv_text = auth.client.get("/exports/actions.csv").get_data(as_text=True)
    assert "Wardrobe rail" in csv_text and "Curtain track" not in csv_text


def test_list_is_sorted_by_band_then_most_overdue(make_action, auth):
    now = utcnow()
    moderate = make_action(likelihood=2, consequence=3, room="Day room", description="Moderate one", **NOT_BEARING)
    late = make_action(likelihood=5, consequence=5, room="Quiet room", description="Older extreme",
                       now=now - timedelta(days=40))
    fresh = make_action(likelihood=4, consequence=4, room="Dining room", description="Fresh extreme")
    auth.login("manager@demo.nhs.test")
    page = auth.client.get("/actions/").get_data(as_text=True)
    positions = [page.index(text) for text in ("Older extreme", "Fresh extreme", "Moderate one")]
    assert positions == sorted(positions)
    assert "Overdue by" in page
    assert {late.band, fresh.band, moderate.band} == {"extreme", "moderate"}


def test_ward_manager_acknowledges_interim_controls_on_the_ward(make_action, people, auth):
    from inspect_app.actions import transitions

    action = make_action()
    transitions.transition(action, "interim_control", by=people["ward_manager"], now=utcnow(), fields={
        "control": "Room locked", "control_by": "Nurse in charge", "review_date": utcnow().date()})
    db.session.commit()
    auth.login("manager@demo.nhs.test")
    listing = auth.client.get("/actions/").get_data(as_text=True)
    # one confirmation form per ward the manager manages, and none for other wards
    assert re.findall(r"Confirm controls in place on ([A-Za-z ]+?)</button>", listing) == ["Larch Ward", "Willow Ward"]
    assert f'action="/actions/ward/{action.ward_id}/acknowledge"' in listing
    response = auth.post(f"/actions/ward/{action.ward_id}/acknowledge", {"ack-comment": "Walked the ward"},
                         page="/actions/")
    assert response.status_code == 302
    db.session.expire_all()
    assert action.ward_acknowledged_by_id == people["ward_manager"].id
    event = db.session.scalar(select(ActionEvent).where(ActionEvent.kind == "acknowledge"))
    assert event.comment == "Walked the ward" and event.fields["control"] == "Room locked"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.acknowledge",
                                                      AuditEvent.action_id == action.id)) is not None


def test_acknowledging_with_no_interim_control_is_refused(make_action, auth):
    action = make_action()
    auth.login("manager@demo.nhs.test")
    response = auth.post(f"/actions/{action.id}/acknowledge", {"ack-comment": ""}, page=f"/actions/{action.id}")
    assert response.status_code == 409
    assert "no interim control recorded" in response.get_data(as_text=True)


def test_detail_shows_only_the_moves_the_role_may_make(make_action, auth):
    action = make_action()
    auth.login("inspector@demo.nhs.test")
    page = auth.client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Record interim control" in page and "Accept risk" not in page
    assert "Order work" not in page  # Extreme: an interim control comes first
    auth.logout()
    auth.login("safety@demo.nhs.test")
    page = auth.client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Accept risk" in page  # an Extreme risk: a proposal for a risk approver
    assert "Escalate to risk register" not in page  # not before an interim control is in place


def test_dashboard_counts_heat_map_and_stale_wards(make_action, auth):
    make_action(likelihood=4, consequence=5, room="Day room")
    make_action(likelihood=4, consequence=5, room="Quiet room")
    make_action(ward="Hazel Ward", likelihood=2, consequence=3, room="Day room", **NOT_BEARING)
    auth.login("safety@demo.nhs.test")
    page = auth.client.get("/dashboard/").get_data(as_text=True)
    assert 'aria-label="2 open points with likelihood 4 Likely and consequence 5 Catastrophic' in page
    assert "likelihood=4" in page and "consequence=5" in page
    assert "No full annual assessment signed off" in page  # the demo wards have no signed-off assessment yet
    listed = auth.client.get("/actions/?likelihood=4&consequence=5").get_data(as_text=True)
    assert "2 actions match" in listed
    filtered = auth.client.get("/dashboard/?band=moderate").get_data(as_text=True)
    assert 'aria-label="1 open points with likelihood 2 Unlikely and consequence 3 Moderate' in filtered
    assert 'aria-label="2 open points with likelihood 4' not in filtered
    auth.logout()
    auth.login("manager@demo.nhs.test")
    assert auth.client.get("/dashboard/").status_code == 403


def test_home_pages_show_overdue_and_ageing_counts(make_action, auth):
    make_action(now=utcnow() - timedelta(days=65), description="Old extreme")
    auth.login("manager@demo.nhs.test")
    page = auth.client.get("/").get_data(as_text=True)
    assert "Needs your attention on your wards" in page
    assert '<span class="stat__value">1</span><span class="stat__label">Extreme overdue</span>' in page
    assert '<span class="stat__value">1</span><span class="stat__label">Interim control missing past deadline' in page
    assert "1 open more than 60 days" in page and "0 open more than 90 days" in page


def test_csv_export_has_bom_and_neutralises_formulas(make_action, auth):
    make_action(description="=HYPERLINK(\"http://evil\")", location="+1 wall")
    auth.login("safety@demo.nhs.test")
    response = auth.client.get("/exports/actions.csv?band=extreme")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference" and len(rows) == 2
    assert rows[1][6] == "'=HYPERLINK(\"http://evil\")"
    points = list(csv.reader(io.StringIO(auth.client.get("/exports/findings.csv").get_data().decode("utf-8-sig"))))
    assert points[1][6] == "'+1 wall" and points[1][15].startswith("ACT-")
    assert len(list(csv.reader(io.StringIO(auth.client.get("/exports/actions.csv?band=low").get_data()
                                           .decode("utf-8-sig"))))) == 1


def test_safe_cell_escapes_every_formula_trigger():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Door closer") == "Door closer" and safe_cell(-3) == "-3" and safe_cell(None) == ""


def test_each_attention_count_links_to_exactly_the_actions_it_counts(make_action, auth, people):
    from inspect_app.actions import transitions

    now = utcnow()
    make_action(now=now - timedelta(days=65), description="Old extreme without control")  # interim missing, > 60 days
    make_action(likelihood=3, consequence=3, room="Quiet room", description="Fresh moderate", **NOT_BEARING)
    accepted = make_action(room="Bedroom 1", description="Accepted rail")
    transitions.transition(accepted, "risk_accepted", by=people["safety_lead"], now=now - timedelta(days=10), fields={
        "rationale": "Continuous observation", "residual_grade": (1, 5),
        "review_date": (now - timedelta(days=1)).date()})
    transitions.approve_acceptance(accepted, by=people["risk_approver"], now=now - timedelta(days=10))
    db.session.commit()
    auth.login("manager@demo.nhs.test")
    home = auth.client.get("/").get_data(as_text=True)
    for href, shown, hidden, note in [
        ("/actions/?need=interim-missing", "Old extreme without control", "Fresh moderate",
         "interim control missing past its deadline"),
        ("/actions/?status=all&amp;need=review-due", "Accepted rail", "Old extreme without control",
         "accepted risk due for review"),
        ("/actions/?older_than=60", "Old extreme without control", "Fresh moderate", "open more than 60 days"),
    ]:
        assert f'href="{href}"' in home, href
        page = auth.client.get(href.replace("&amp;", "&")).get_data(as_text=True)
        assert shown in page and hidden not in page, href
        assert "1 action matches" in page and f"Also showing only: {note}" in page, href
        assert 'name="need"' in page or 'name="older_than"' in page  # kept when other filters are applied
    assert "Fresh moderate" in auth.client.get("/actions/?need=bogus&older_than=7").get_data(as_text=True)
    csv_text = auth.client.get("/exports/actions.csv?need=review-due&status=all").get_data(as_text=True)
    assert "Accepted rail" in csv_text and "Fresh moderate" not in csv_text


def test_dashboard_lists_wards_due_for_re_assessment_with_the_reason(demo, people, auth):
    from inspect_app.checklists.library import current_published
    from inspect_app.checklists.models import ChecklistTemplate
    from inspect_app.inspections.models import Inspection, InspectionStatus

    now = utcnow()
    current = current_published()
    older = ChecklistTemplate(name="Older ligature checklist", version="0.9", status="archived",
                              created_at=now - timedelta(days=700), published_at=now - timedelta(days=700))
    db.session.add(older)
    db.session.flush()
    inspector = people["inspector"]

    def signed_off(ward: str, days_ago: int, template_id: int, kind: str = "annual") -> None:
        db.session.add(Inspection(
            ward_id=demo["wards"][ward], template_id=template_id, inspection_type=kind,
            status=InspectionStatus.SIGNED_OFF, team=["Sam"], started_at=now - timedelta(days=days_ago + 1),
            started_by_id=inspector.id, lead_inspector_id=inspector.id, signed_off_at=now - timedelta(days=days_ago),
            signed_off_by_id=inspector.id, signature_name="Sam Okafor"))

    signed_off("Larch Ward", 400, current.id)  # over a year ago, on the current checklist
    signed_off("Willow Ward", 20, older.id)  # recent, on an older checklist
    signed_off("Rowan Ward", 30, current.id)  # recent and current: not due
    signed_off("Alder Ward", 500, older.id)  # both reasons
    signed_off("Hazel Ward", 5, current.id, "routine")  # a routine check never re-assesses a ward
    signed_off("Rowan Ward", 2, current.id, "routine")  # nor hides its last annual assessment
    db.session.commit()
    auth.login("safety@demo.nhs.test")
    page = auth.client.get("/dashboard/").get_data(as_text=True)
    table = page[page.index('id="stale-h"'):page.index('id="overdue-h"')]
    rows = {re.search(r'<th scope="row">([A-Za-z ]+?) <span', row).group(1): row
            for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)}
    assert set(rows) == {"Larch Ward", "Willow Ward", "Alder Ward", "Hazel Ward", "Juniper Ward"}
    assert "Last assessment over 12 months ago" in rows["Larch Ward"] and "older" not in rows["Larch Ward"]
    assert "Used an older checklist version" in rows["Willow Ward"] and "Older ligature checklist v0.9" in rows["Willow Ward"]
    assert "12 months" not in rows["Willow Ward"]
    assert "Last assessment over 12 months ago; Used an older checklist version" in rows["Alder Ward"]
    assert "No full annual assessment signed off" in rows["Hazel Ward"]
    assert "No full annual assessment signed off" in rows["Juniper Ward"]
    assert (now - timedelta(days=400)).strftime("%Y") in rows["Larch Ward"]  # the date of the last sign-off
    assert (now - timedelta(days=5)).strftime("%-d %b %Y") not in rows["Hazel Ward"]


def test_action_list_pages_by_key_and_counts_up_to_a_cap(make_action, auth, monkeypatch):
    from inspect_app.actions import list_views, queries

    monkeypatch.setattr(list_views, "PER_PAGE", 2)
    for n, (likelihood, consequence) in enumerate(((5, 5), (4, 4), (3, 3))):
        make_action(likelihood=likelihood, consequence=consequence, description=f"Point {n}")
    auth.login("safety@demo.nhs.test")
    first = auth.client.get("/actions/").get_data(as_text=True)
    assert "3 actions match" in first and first.count('<li class="action-card') == 2
    assert "Point 0" in first and "Point 1" in first and "Point 2" not in first  # most severe first
    assert "Next page" in first and "First page" not in first and "Page 1 of 2" in first
    next_url = re.search(r'href="(/actions/\?[^"]*after=[^"]+)">Next page', first).group(1).replace("&amp;", "&")
    second = auth.client.get(next_url).get_data(as_text=True)
    assert "3 actions match" in second and second.count('<li class="action-card') == 1 and "Point 2" in second
    assert "Page 2 of 2" in second and "First page" in second and "Next page" not in second
    garbled = auth.client.get("/actions/?page=9&after=not-a-key").get_data(as_text=True)  # back to the start
    assert garbled.count('<li class="action-card') == 2 and "Page 1 of 2" in garbled
    monkeypatch.setattr(queries, "LIST_COUNT_CAP", 2)
    capped = auth.client.get("/actions/").get_data(as_text=True)
    assert "More than 2 actions match" in capped and "Page 1</span>" in capped
