"""Sign-off, read-only afterwards, corrections as new versions, and carry-forward into the next inspection."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.demo.seed import DEMO_PASSWORD
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections import answering
from inspect_app.inspections import services as inspections
from inspect_app.inspections.assurance import flags_for
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.inspections.walk import carried_forward, ward_progress
from tests.fixtures.walkthrough import make_photo


def _answer_everything(walk, *, skip: str | None = None) -> None:
    """Answer every room compliant through the services (the pages are tested one tap at a time elsewhere)."""
    inspection = walk.inspection()
    inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
    for status in ward_progress(inspection):
        if status.room.name == skip:
            continue
        for item in inspections.room_items(inspection, status.room):
            answering.record_answer(inspection=inspection, room=status.room, item=item, value=item.passing_answer,
                                    by=inspector, now=utcnow())
    db.session.commit()


def _flag_keys(walk) -> list[str]:
    return [flag.key for flag in flags_for(walk.inspection())]


def _sign(walk, confirm="y", password=DEMO_PASSWORD, clinical="manager@demo.nhs.test"):
    """The lead inspector signs through the page (acknowledging every flag shown); then, unless
    ``clinical`` is None, the ward manager signs in and gives the clinical sign-off, and the
    inspector signs back in."""
    page = f"/inspections/{walk.inspection_id}/sign-off"
    response = walk.auth.post(page, {"confirm": confirm, "password": password, "acknowledge": _flag_keys(walk)},
                              page=page)
    if response.status_code != 302 or clinical is None:
        return response
    walk.auth.logout()
    assert walk.auth.login(clinical).status_code == 302
    second = walk.auth.post(page, {"confirm": "y", "password": DEMO_PASSWORD, "acknowledge": _flag_keys(walk)},
                            page=page)
    assert second.status_code == 302, second.get_data(as_text=True)
    walk.auth.logout()
    assert walk.auth.login("inspector@demo.nhs.test").status_code == 302
    return response


def test_sign_off_lists_the_blockers_and_is_refused_while_a_room_is_unanswered(walkthrough):
    _answer_everything(walkthrough, skip="Bedroom 3")
    page = walkthrough.client.get(f"/inspections/{walkthrough.inspection_id}/sign-off").get_data(as_text=True)
    assert "Not ready to sign yet" in page and "Bedroom 3 has not been inspected yet." in page
    response = _sign(walkthrough)
    assert response.status_code == 422 and "Cannot sign off yet" in response.get_data(as_text=True)
    assert walkthrough.inspection().status == "in_progress"


def test_a_not_accessible_room_with_a_reason_does_not_block_sign_off(walkthrough):
    _answer_everything(walkthrough, skip="Bedroom 3")
    room = walkthrough.room("Bedroom 3")
    walkthrough.auth.post("/inspections/room-access", {"inspection_id": walkthrough.inspection_id, "room_id": room.id,
                                                       "not_accessible": "1", "reason": "Patient asleep"},
                          page=walkthrough.room_page(room))
    assert _sign(walkthrough, confirm="").status_code == 422  # the statement must be confirmed
    response = _sign(walkthrough)
    assert response.status_code == 302
    inspection = walkthrough.inspection()
    assert inspection.status == "signed_off" and inspection.signature_name == "Sam Okafor"
    assert inspection.signed_off_at is not None and "true and complete" in inspection.attestation


def test_after_sign_off_everything_is_read_only(walkthrough):
    room = walkthrough.room("Bedroom 1")
    walkthrough.record(room, photos=[("a.jpg", make_photo())])
    _answer_everything(walkthrough)
    assert _sign(walkthrough).status_code == 302
    item = walkthrough.items(room)[0]
    assert walkthrough.answer(room, item, "not_applicable").status_code == 409
    assert walkthrough.record(room).status_code == 409
    finding_id = db.session.scalar(select(Finding.id))
    html = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    assert 'data-op="answer"' not in html and "read-only" in html
    detail = walkthrough.client.get(f"/ligature-points/{finding_id}").get_data(as_text=True)
    assert 'data-op="finding.grade"' not in detail
    assert walkthrough.auth.post(f"/ligature-points/{finding_id}/grade", {"finding_id": finding_id, "grade": "1x1"},
                                 page=f"/ligature-points/{finding_id}").status_code == 409


def test_a_correction_is_a_new_version_and_the_signed_original_is_kept(walkthrough):
    room = walkthrough.room("Bedroom 1")
    walkthrough.record(room)
    _answer_everything(walkthrough)
    _sign(walkthrough)
    page = f"/inspections/{walkthrough.inspection_id}/sign-off"
    assert walkthrough.auth.post(f"/inspections/{walkthrough.inspection_id}/correction", {"reason": ""},
                                 page=page).status_code == 422
    response = walkthrough.auth.post(f"/inspections/{walkthrough.inspection_id}/correction",
                                     {"reason": "Wrong room recorded for LP-00001"}, page=page)
    assert response.status_code == 302
    new_id = int(re.search(r"/inspections/(\d+)", response.headers["Location"]).group(1))
    original, new = walkthrough.inspection(), db.session.get(Inspection, new_id)
    assert original.status == "superseded" and original.signature_name == "Sam Okafor"
    assert new.status == "in_progress" and new.version == 2 and new.corrects_id == original.id
    assert new.correction_reason == "Wrong room recorded for LP-00001"
    count = select(func.count()).select_from(Answer)
    assert db.session.scalar(count.where(Answer.inspection_id == new.id)) == \
        db.session.scalar(count.where(Answer.inspection_id == original.id)) > 0
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1  # moved on, not copied
    assert carried_forward(new) == []  # its own points are not "from the last inspection"
    old_page = walkthrough.client.get(f"/inspections/{original.id}").get_data(as_text=True)
    assert "Corrected by" in old_page and "1 ligature point<" in old_page
    assert walkthrough.answer(room, walkthrough.items(room)[0], "not_applicable").status_code == 409


def test_the_next_inspection_carries_open_points_forward_as_the_same_record(walkthrough):
    room = walkthrough.room("Bedroom 1")
    walkthrough.record(room, grade="4x5", photos=[("a.jpg", make_photo())])
    _answer_everything(walkthrough)
    _sign(walkthrough)
    finding_id = db.session.scalar(select(Finding.id))
    start = f"/inspections/start/{walkthrough.ward_id}"
    response = walkthrough.auth.post(start, {"inspection_type": "routine", "team-0-name": "Sam Okafor"}, page=start)
    second = int(re.search(r"/inspections/(\d+)", response.headers["Location"]).group(1))
    overview = walkthrough.client.get(f"/inspections/{second}").get_data(as_text=True)
    assert "1 to re-check" in overview
    html = walkthrough.client.get(f"/inspections/{second}/rooms/{room.id}").get_data(as_text=True)
    carried = html[html.index("From the last inspection"):html.index('data-guidance-tools')]
    assert f'data-finding-id="{finding_id}"' in carried and 'rendition=' not in carried
    assert "/thumb.jpg" in carried and 'name="photo" accept="image/*" capture="environment"' in carried
    response = walkthrough.auth.post("/inspections/carry-forward", {"inspection_id": second, "finding_id": finding_id,
                                                                    "outcome": "still_present"},
                                     page=f"/inspections/{second}/rooms/{room.id}")
    assert response.status_code == 302
    db.session.expire_all()
    finding = db.session.get(Finding, finding_id)
    assert finding.last_inspection_id == second and finding.inspection_id == walkthrough.inspection_id
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1


def test_a_fresh_sign_in_at_the_trust_provider_signs_without_the_password_and_an_old_one_does_not(walkthrough):
    """With single sign-on the provider's re-authentication (recorded by /login/oidc/reauth) replaces
    the password for five minutes; the signature records how it was confirmed."""
    import time

    from inspect_app.auth.oidc import FRESH_AUTH_KEY
    from inspect_app.inspections.models import Signature

    _answer_everything(walkthrough)
    page = f"/inspections/{walkthrough.inspection_id}/sign-off"
    form = {"confirm": "y", "password": "", "acknowledge": _flag_keys(walkthrough)}
    refused = walkthrough.auth.post(page, form, page=page)  # no password, no provider re-authentication
    assert refused.status_code == 422 and "trust account" in refused.get_data(as_text=True)
    with walkthrough.client.session_transaction() as session:
        session[FRESH_AUTH_KEY] = time.time() - 600  # ten minutes ago: too old to sign with
    assert walkthrough.auth.post(page, form, page=page).status_code == 422
    with walkthrough.client.session_transaction() as session:
        session[FRESH_AUTH_KEY] = time.time() - 30
    assert walkthrough.auth.post(page, form, page=page).status_code == 302
    signature = db.session.scalar(select(Signature).where(Signature.inspection_id == walkthrough.inspection_id))
    assert signature.reauth_method == "oidc" and signature.name == "Sam Okafor"
