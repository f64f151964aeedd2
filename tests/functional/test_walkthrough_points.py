"""Ligature points through the pages: record with photo and grade, re-grade, edit, photos served and removed."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from inspect_app.actions.models import Action
from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db
from inspect_app.findings.models import Finding, FindingGrade
from inspect_app.inspections.models import Answer
from inspect_app.photos.models import Photo
from tests.fixtures.walkthrough import make_photo


def _only_finding() -> Finding:
    db.session.expire_all()
    return db.session.scalars(select(Finding)).one()


def test_recording_a_point_with_a_photo_and_grade_saves_all_of_it(walkthrough):
    room = walkthrough.room("Bedroom 1")
    item = walkthrough.items(room)[3]
    response = walkthrough.record(room, item=item, grade="4x5", photos=[("closer.jpg", make_photo())])
    assert response.status_code == 302 and "#finding-" in response.headers["Location"]
    finding = _only_finding()
    assert (finding.likelihood, finding.consequence, finding.score, finding.band) == (4, 5, 20, "extreme")
    assert finding.item_id == item.id and finding.mitigation == "REPLACE"
    assert [p.width for p in finding.photos] == [1200]
    assert db.session.scalar(select(Answer.value).where(Answer.item_id == item.id)) == "ligature_point"
    assert db.session.scalar(select(Action).where(Action.finding_id == finding.id)) is not None  # Extreme: at once
    overview = walkthrough.client.get(f"/inspections/{walkthrough.inspection_id}").get_data(as_text=True)
    bedroom = overview[overview.index(f'id="room-{room.id}"'):]
    assert re.search(r'1 ligature point</span>\s*<span>highest <span class="chip chip--extreme">Extreme</span>',
                     bedroom)


def test_tier3_room_grades_a_low_score_high_and_the_form_says_why(walkthrough):
    room = walkthrough.room("Bedroom 2")
    form = walkthrough.client.get(f"/ligature-points/new?inspection_id={walkthrough.inspection_id}"
                                  f"&room_id={room.id}").get_data(as_text=True)
    assert 'aria-label="Likelihood 4 Likely, consequence 5 Catastrophic, score 20 Extreme"' in form
    assert 'aria-label="Likelihood 1 Rare, consequence 2 Minor, score 2 High"' in form
    assert "Tier 3 room" in form
    walkthrough.record(room, grade="1x2", category="Furniture")
    finding = _only_finding()
    assert finding.band == "high" and finding.grades[0].calculated_band == "low"


def test_an_ad_hoc_point_needs_a_category_and_keeps_the_entered_text(walkthrough):
    room = walkthrough.room("Day room")
    response = walkthrough.record(room, category="", description="Loose cable by the TV")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose the fixture category." in html and "Loose cable by the TV" in html
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 0
    assert walkthrough.record(room, category="Other", description="Loose cable").status_code == 302
    assert _only_finding().item_id is None


def test_a_resubmitted_point_with_the_same_device_id_is_not_duplicated(walkthrough):
    room = walkthrough.room("Day room")
    client_id = "0f8fad5b-d9cb-469f-a165-70867728950e"
    first = walkthrough.record(room, client_id=client_id)
    again = walkthrough.record(room, client_id=client_id)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1


def test_regrading_adds_a_grade_record_and_keeps_the_first(walkthrough):
    room = walkthrough.room("Day room")
    walkthrough.record(room, grade="2x3")
    finding = _only_finding()
    response = walkthrough.auth.post(f"/ligature-points/{finding.id}/grade",
                                     {"finding_id": finding.id, "grade": "4x5", "comment": "Closer arm is loose"},
                                     page=f"/ligature-points/{finding.id}")
    assert response.status_code == 302
    grades = db.session.scalars(select(FindingGrade).where(FindingGrade.finding_id == finding.id)
                                .order_by(FindingGrade.id)).all()
    assert [(g.score, g.kind) for g in grades] == [(6, "initial"), (20, "regrade")]
    page = walkthrough.client.get(f"/ligature-points/{finding.id}").get_data(as_text=True)
    assert "Grade history" in page and "Closer arm is loose" in page and "finding grade" in page


def test_editing_a_point_is_audited_with_old_and_new_values(walkthrough):
    room = walkthrough.room("Day room")
    walkthrough.record(room)
    finding = _only_finding()
    response = walkthrough.auth.post(f"/ligature-points/{finding.id}/edit", {
        "finding_id": finding.id, "category": finding.category, "description": "Closer arm, 2.1 m",
        "location": finding.location, "mitigation": "MODIFY"}, page=f"/ligature-points/{finding.id}/edit")
    assert response.status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "finding.update")).one()
    assert event.old["description"] == "Overhead door closer arm" and event.new["description"] == "Closer arm, 2.1 m"
    assert event.new["mitigation"] == "MODIFY"


def test_photos_are_served_privately_only_to_users_who_may_see_the_ward(walkthrough, make_user, demo):
    room = walkthrough.room("Bedroom 1")
    walkthrough.record(room, photos=[("a.jpg", make_photo())])
    photo = db.session.scalars(select(Photo)).one()
    url = f"/photos/{photo.uuid}/thumb.jpg"
    with walkthrough.client.get(url) as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"] == "no-store"  # not kept on a shared tablet after sign-out
        assert response.get_data()[:3] == b"\xff\xd8\xff"
    assert walkthrough.client.get(f"/photos/{photo.uuid}/original.jpg").status_code == 404
    make_user("ward_manager", email="other@example.test", wards=[demo["wards"]["Rowan Ward"]])
    walkthrough.auth.logout()
    assert walkthrough.client.get(url).status_code == 302  # anonymous: to sign-in
    walkthrough.auth.login("other@example.test", "a-long-test-password-42")
    assert walkthrough.client.get(url).status_code == 404
    walkthrough.auth.logout()
    walkthrough.auth.login("manager@demo.nhs.test")  # manages Larch Ward
    with walkthrough.client.get(url) as response:
        assert response.status_code == 200


def test_removing_a_photo_needs_a_reason_is_audited_and_stops_serving_it(walkthrough):
    room = walkthrough.room("Bedroom 1")
    walkthrough.record(room, photos=[("a.jpg", make_photo())])
    photo = db.session.scalars(select(Photo)).one()
    page = f"/ligature-points/{photo.finding_id}"
    assert walkthrough.auth.post(f"/photos/{photo.uuid}/remove", {"reason": ""}, page=page).status_code == 422
    assert walkthrough.auth.post(f"/photos/{photo.uuid}/remove", {"reason": "Shows a patient"},
                                 page=page).status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "photo.remove")).one()
    assert event.new == {"removed": True, "reason": "Shows a patient"} and event.user_name == "Sam Okafor"
    assert walkthrough.client.get(f"/photos/{photo.uuid}/thumb.jpg").status_code == 404


def test_a_photo_can_be_added_to_an_existing_point(walkthrough):
    room = walkthrough.room("Bedroom 1")
    walkthrough.record(room)
    finding = _only_finding()
    response = walkthrough.auth.post("/photos/add", {"finding_id": finding.id,
                                                     "photo": (__import__("io").BytesIO(make_photo()), "b.jpg")},
                                     page=f"/ligature-points/{finding.id}", content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(_only_finding().photos) == 1


def test_discreet_mode_hides_descriptions_behind_neutral_labels_and_is_remembered(walkthrough):
    room = walkthrough.room("Bedroom 1")
    walkthrough.record(room)
    response = walkthrough.auth.post("/inspections/discreet", {"next": walkthrough.room_page(room)},
                                     page=walkthrough.room_page(room))
    assert response.status_code == 302 and response.headers["Location"] == walkthrough.room_page(room)
    html = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    assert re.search(r'<body class="walk is-discreet"[ >]', html)
    assert '<span class="neutral">Item 1</span>' in html and 'aria-pressed="true">Discreet mode' in html
    walkthrough.auth.post("/inspections/discreet", {"next": "//evil.example/"}, page=walkthrough.room_page(room))
    html = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    assert 'class="walk"' in html  # toggled off again; the off-site "next" was ignored
