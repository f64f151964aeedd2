"""Walk-through pages without JavaScript: start, overview, room answers, room access, who may do what."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.estates.models import Room
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer, Inspection, RoomVisit


def test_starting_pins_the_published_checklist_and_records_the_team(walkthrough):
    inspection = walkthrough.inspection()
    assert inspection.template.status == "published"
    assert inspection.inspection_type == "annual"
    assert inspection.team == [{"name": "Sam Okafor", "role": "Estates officer"},
                               {"name": "Ana Ward", "role": "Ward clinician"}]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "inspection.start", AuditEvent.inspection_id == inspection.id)) == 1


def test_start_page_shows_the_checklist_version_and_the_home_page_offers_continue(walkthrough):
    client = walkthrough.client
    page = client.get(f"/inspections/start/{walkthrough.ward_id}", follow_redirects=True).get_data(as_text=True)
    assert "already has an inspection in progress" in page  # a second start continues the first
    home = client.get("/").get_data(as_text=True)
    assert f'href="/inspections/{walkthrough.inspection_id}"' in home and "Continue inspection" in home
    assert "Start inspection" in home  # for the other wards


def test_overview_lists_every_room_in_walk_order_with_a_next_room_button(walkthrough):
    html = walkthrough.client.get(f"/inspections/{walkthrough.inspection_id}").get_data(as_text=True)
    names = re.findall(r'class="room-row__link" href="[^"]+">([^<]+)</a>', html)
    assert names[:3] == ["Bedroom 1", "Bedroom 1 en-suite", "Bedroom 2"] and len(names) == 45
    assert "Next unfinished room: Bedroom 1" in html
    assert "0 of 27 answered" in html


def test_one_tap_saves_an_answer_and_shows_it_pressed(walkthrough):
    room = walkthrough.room("Bedroom 1")
    item = walkthrough.items(room)[0]
    response = walkthrough.answer(room, item, "compliant")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#item-{item.id}")
    assert db.session.scalar(select(Answer.value).where(Answer.item_id == item.id)) == "compliant"
    html = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    row = html[html.index(f'id="item-{item.id}"'):html.index("</li>", html.index(f'id="item-{item.id}"'))]
    assert re.search(r'answer--compliant" aria-pressed="true"', row)
    assert 'data-op="answer"' in row and "<details" in row  # guidance on demand
    assert "1 of 27 answered" in html
    assert walkthrough.answer(room, item, "not_applicable").status_code == 422  # N/A needs its reason
    assert walkthrough.answer(room, item, "not_applicable", na_reason="other").status_code == 422  # and words
    walkthrough.answer(room, item, "not_applicable", na_reason="not_present")
    db.session.expire_all()
    saved = db.session.scalar(select(Answer).where(Answer.item_id == item.id))
    assert (saved.value, saved.na_reason) == ("not_applicable", "not_present")
    html = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    assert "Not applicable: Fixture not present" in html
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answer.set")).all()
    assert changes[-1].old["value"] == "compliant" and changes[-1].new["value"] == "not_applicable"


def test_room_page_groups_items_by_fixture_category(walkthrough):
    room = walkthrough.room("Bedroom 1")
    html = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    headings = re.findall(r'<h2 id="cat-\d+">([^<]+)</h2>', html)
    assert headings[0] == "Doors &amp; door furniture" and len(headings) == len(set(headings))
    # one answer form per item: a ligature item's four answers, a check item's pass, fail and not
    # applicable (not applicable and fail in a fold with the reason or note they need)
    checks = [i for i in walkthrough.items(room) if i.kind == "check"]
    assert html.count('data-op="answer"') == 27 and len(checks) == 5
    answers = re.findall(r'<button type="submit" name="value" value="([a-z_]+)"', html)
    assert {v: answers.count(v) for v in set(answers)} == {
        "compliant": 22, "ligature_point": 22, "ligature_point_controlled": 22, "not_applicable": 27,
        "pass": 5, "fail": 5}
    assert html.count('name="na_reason"') == 27 and html.count('name="comment"') == 5


def test_ligature_point_answer_opens_the_form_with_the_item_filled_in(walkthrough):
    room = walkthrough.room("Bedroom 1")
    item = walkthrough.items(room)[3]
    response = walkthrough.answer(room, item, "ligature_point")
    assert response.status_code == 302
    assert f"item_id={item.id}" in response.headers["Location"]
    form = walkthrough.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'capture="environment"' in form and 'accept="image/*"' in form and "multiple" in form
    assert f'name="item_id" type="hidden" value="{item.id}"' in form
    assert f'<option selected value="{item.category}">' in form.replace("&amp;", "&")


def test_room_not_accessible_needs_a_reason_and_can_be_revisited(walkthrough):
    room = walkthrough.room("Bedroom 2")
    data = {"inspection_id": walkthrough.inspection_id, "room_id": room.id, "not_accessible": "1", "reason": ""}
    refused = walkthrough.auth.post("/inspections/room-access", data, page=walkthrough.room_page(room))
    assert refused.status_code == 422 and "reason" in refused.get_data(as_text=True)
    assert walkthrough.auth.post("/inspections/room-access", {**data, "reason": "Patient asleep"},
                                 page=walkthrough.room_page(room)).status_code == 302
    overview = walkthrough.client.get(f"/inspections/{walkthrough.inspection_id}").get_data(as_text=True)
    assert "Patient asleep" in overview
    walkthrough.auth.post("/inspections/room-access", {**data, "not_accessible": "0"}, page=walkthrough.room_page(room))
    db.session.expire_all()
    assert db.session.scalar(select(RoomVisit.not_accessible).where(RoomVisit.room_id == room.id)) is False


def test_ward_manager_sees_a_managed_ward_read_only_and_cannot_write(walkthrough, client):
    room = walkthrough.room("Bedroom 1")
    item = walkthrough.items(room)[0]
    walkthrough.auth.logout()
    walkthrough.auth.login("manager@demo.nhs.test")
    html = client.get(walkthrough.room_page(room)).get_data(as_text=True)
    assert "Not answered" in html and 'data-op="answer"' not in html
    assert walkthrough.answer(room, item).status_code == 403
    assert client.get(f"/inspections/start/{walkthrough.ward_id}").status_code == 403


def test_other_wards_inspections_are_hidden_from_a_ward_manager(demo, auth, walkthrough):
    inspection = walkthrough.inspection()
    inspection.ward_id = demo["wards"]["Rowan Ward"]  # a ward the demo manager does not manage
    db.session.commit()
    auth.logout()
    auth.login("manager@demo.nhs.test")
    assert auth.client.get(f"/inspections/{inspection.id}").status_code == 404
    listing = auth.client.get("/inspections/").get_data(as_text=True)
    assert inspection.ref not in listing
    assert db.session.get(Inspection, inspection.id) is not None


def test_product_checks_show_in_the_walk_through_room_and_overview(walkthrough, make_fixture):
    make_fixture("Larch Ward", "Bedroom 1", interval_days=30)
    room = walkthrough.room("Bedroom 1")
    html = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    assert "Product checks in this room" in html and "Bed-bay curtain track" in html
    overview = walkthrough.client.get(f"/inspections/{walkthrough.inspection_id}").get_data(as_text=True)
    assert "Product checks" in overview
    assert "Overdue" in overview or "due soon" in overview


def test_room_page_is_404_for_a_room_of_another_ward_an_unknown_room_or_a_hidden_ward(demo, auth, walkthrough):
    room = walkthrough.room("Day room")
    assert auth.client.get(walkthrough.room_page(room)).status_code == 200
    other = db.session.scalar(select(Room).where(Room.ward_id == demo["wards"]["Rowan Ward"]))
    inspection_id = walkthrough.inspection_id
    assert auth.client.get(f"/inspections/{inspection_id}/rooms/{other.id}").status_code == 404
    assert auth.client.get(f"/inspections/{inspection_id}/rooms/999999").status_code == 404
    assert auth.client.get(f"/inspections/999999/rooms/{room.id}").status_code == 404
    inspection = walkthrough.inspection()
    inspection.ward_id = demo["wards"]["Rowan Ward"]  # now a ward the demo manager does not manage
    db.session.commit()
    auth.logout()
    auth.login("manager@demo.nhs.test")
    assert auth.client.get(f"/inspections/{inspection_id}/rooms/{other.id}").status_code == 404
