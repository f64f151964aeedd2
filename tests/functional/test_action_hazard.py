"""The action page shows the hazard as inspected (photo thumbnails, discreet mode respected, a link
to the point) and does not offer "Verify on site" to the person who did the work, saying why."""
from __future__ import annotations

from inspect_app.clock import utcnow
from inspect_app.extensions import db
from inspect_app.photos import services as photos
from tests.fixtures.remediation import photo_bytes


def test_action_page_shows_the_hazard_photos_and_links_to_the_point(make_action, people, auth):
    action = make_action()
    photos.store_photo(photo_bytes(), ward_id=action.ward_id, finding=action.finding,
                       inspection_id=action.finding.inspection_id, by=people["inspector"], now=utcnow())
    db.session.commit()
    auth.login("manager@demo.nhs.test")
    page = auth.client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert f'href="/ligature-points/{action.finding.id}"' in page
    point = auth.client.get(f"/ligature-points/{action.finding.id}").get_data(as_text=True)
    assert f'href="/actions/{action.id}">action {action.id}</a> (open)' in point  # and the point links back
    assert page.count('class="thumb"') == 1 and "Photo 1 hidden" in page  # the neutral label, for discreet mode
    assert "is-discreet" not in page.split("<body", 1)[1].split(">", 1)[0]
    auth.post("/inspections/discreet", {"next": f"/actions/{action.id}"}, page=f"/actions/{action.id}")
    page = auth.client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "is-discreet" in page.split("<body", 1)[1].split(">", 1)[0]


def test_verify_is_not_offered_to_the_person_who_did_the_work(make_action, people, auth):
    action = make_action()
    action.status, action.remediated_by_id = "remediated", people["inspector"].id
    db.session.commit()
    auth.login("inspector@demo.nhs.test")
    page = auth.client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "move/verified" not in page
    assert "a different person must verify it on site" in page
    auth.logout()
    auth.login("safety@demo.nhs.test")
    page = auth.client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "move/verified" in page and "different person must verify" not in page
