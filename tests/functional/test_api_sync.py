"""The sync API applies each operation once: replays return the original answer, photos are
confirmed by checksum, sessions and CSRF are enforced with JSON answers."""
from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from inspect_app.api.models import SyncReceipt
from inspect_app.clock import utcnow
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Answer
from inspect_app.photos.models import Photo
from tests.fixtures.offline import jpeg


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _finding_payload(walk, room="Bedroom 1", **extra):
    return {"inspection_id": str(walk["inspection"].id), "room_id": str(walk["rooms"][room].id),
            "category": "Door furniture", "description": "Door closer arm", "location": "Top of door",
            "grade": "4x5", **extra}


def test_replayed_operation_returns_the_original_result_and_adds_nothing(device, offline_walk):
    op = device.op("finding.create", _finding_payload(offline_walk, client_id=str(uuid.uuid4())))
    first = device.send(op)
    assert first.status_code == 201
    assert first.json["op_id"] == op["op_id"] and first.json["replayed"] is False
    assert first.json["result"]["band"] == "extreme" and first.json["result"]["ref"].startswith("LP-")
    again = device.send(op)
    assert again.status_code == 201
    assert again.json["replayed"] is True and again.json["result"] == first.json["result"]
    assert _count(Finding) == 1
    assert _count(SyncReceipt) == 1


def test_same_point_sent_under_two_operation_ids_is_stored_once(device, offline_walk):
    client_id = str(uuid.uuid4())
    first = device.send(device.op("finding.create", _finding_payload(offline_walk, client_id=client_id)))
    second = device.send(device.op("finding.create", _finding_payload(offline_walk, client_id=client_id)))
    assert second.status_code == 200 and second.json["result"]["finding_id"] == first.json["result"]["finding_id"]
    assert _count(Finding) == 1


def test_answer_from_a_form_is_saved_and_replay_does_not_change_it_again(device, offline_walk):
    room = offline_walk["rooms"]["Bedroom 1"]
    item = offline_walk["items"]("Bedroom 1")[0]
    payload = {"inspection_id": str(offline_walk["inspection"].id), "room_id": str(room.id),
               "item_id": str(item.id), "value": "compliant"}
    op = device.op("answer", payload)
    assert device.send(op).status_code == 200
    refused = device.send(device.op("answer", {**payload, "value": "not_applicable"}))
    assert refused.status_code == 422 and "not applicable" in refused.json["message"]
    changed = device.send(device.op("answer", {**payload, "value": "not_applicable", "na_reason": "other",
                                               "na_detail": "Room is now a store"}))
    assert changed.json["result"]["na_detail"] == "Room is now a store"
    assert changed.json["result"]["value"] == "not_applicable"
    replay = device.send(op)  # the old operation again: answered from the receipt, not re-applied
    assert replay.json["replayed"] is True and replay.json["result"]["value"] == "compliant"
    db.session.expire_all()
    assert db.session.scalar(select(Answer.value).where(Answer.item_id == item.id)) == "not_applicable"


def test_photo_upload_confirms_the_checksum_of_the_received_bytes_and_is_idempotent(device, offline_walk):
    created = device.send(device.op("finding.create", _finding_payload(offline_walk, client_id=str(uuid.uuid4()))))
    photo = jpeg(3)
    op = device.op("photo.add", {"finding_client_id": created.json["result"]["client_id"],
                                 "photo_uuid": str(uuid.uuid4())})
    first = device.send(op, files={"photo": photo})
    assert first.status_code == 201
    assert first.json["result"]["sha256"] == hashlib.sha256(photo).hexdigest()
    again = device.send(op, files={"photo": photo})
    assert again.json["replayed"] is True and again.json["result"] == first.json["result"]
    assert _count(Photo) == 1


def test_photos_are_added_never_replaced(device, offline_walk):
    created = device.send(device.op("finding.create", _finding_payload(offline_walk)))
    finding_id = created.json["result"]["finding_id"]
    for seed in (1, 2):  # two tablets each add a photo to the same point
        response = device.send(device.op("photo.add", {"finding_id": str(finding_id),
                                                       "photo_uuid": str(uuid.uuid4())}),
                               files={"photo": jpeg(seed)})
        assert response.status_code == 201
    assert _count(Photo, Photo.finding_id == finding_id) == 2


def test_concurrent_duplicate_loses_the_race_and_returns_the_stored_receipt(device, offline_walk, monkeypatch):
    op = device.op("finding.create", _finding_payload(offline_walk, client_id=str(uuid.uuid4())))
    first = device.send(op)
    # The second copy looked for a receipt before the first committed (as when both run at once):
    # its insert hits the unique op_id, everything it did rolls back and the stored answer comes back.
    from inspect_app.api import receipts

    real_get = db.session.get
    calls = {"n": 0}

    def late_get(model, key, *args, **kwargs):
        if model is SyncReceipt and calls["n"] == 0:
            calls["n"] += 1
            return None
        return real_get(model, key, *args, **kwargs)

    monkeypatch.setattr(receipts.db.session, "get", late_get)
    # The same copy: its handler recognises the point, and its receipt insert hits the unique op_id.
    # (The same op id with another payload is refused as a conflict: test_api_hostile.)
    second = device.send(op)
    assert second.status_code == 201 and second.json["replayed"] is True
    assert second.json["result"] == first.json["result"]
    assert _count(Finding) == 1


def test_refused_operation_is_a_4xx_with_the_reason_and_saves_nothing(device, offline_walk):
    response = device.send(device.op("finding.create", _finding_payload(offline_walk, grade="9x9")))
    assert response.status_code == 422
    assert response.json["op_id"] and response.json["field"] == "grade" and "grid" in response.json["message"]
    assert _count(Finding) == 0 and _count(SyncReceipt) == 0
    bad_kind = device.send(device.op("finding.delete", {}))
    assert bad_kind.status_code == 400 and "Unknown operation" in bad_kind.json["message"]
    bad_id = device.send({"op_id": "not-a-uuid", "kind": "answer", "payload": {}})
    assert bad_id.status_code == 400 and "UUID" in bad_id.json["message"]


def test_operation_on_a_ward_the_user_cannot_see_is_404(auth, offline_walk):
    auth.login("manager@demo.nhs.test")  # ward managers do not capture
    response = auth.json("POST", "/api/v1/ops", {"op_id": str(uuid.uuid4()), "kind": "answer", "payload": {}})
    assert response.status_code == 403 and response.is_json


def test_expired_session_gets_json_401_not_a_redirect(client, auth, offline_walk):
    # A valid token for the current (signed-out) session: the CSRF check passes, sign-in does not.
    response = auth.json("POST", "/api/v1/ops", {"op_id": str(uuid.uuid4()), "kind": "answer", "payload": {}})
    assert response.status_code == 401
    assert response.is_json and "sign in" in response.json["message"].lower()
    assert client.get("/api/v1/csrf").status_code == 401


def test_writes_without_a_csrf_token_are_refused(device, offline_walk):
    response = device.auth.client.post("/api/v1/ops", json=device.op("answer", {}))
    assert response.status_code == 400 and response.is_json
    assert "CSRF" in response.json["message"]


def test_fresh_csrf_token_and_me_endpoints(device):
    token = device.auth.client.get("/api/v1/csrf")
    assert token.status_code == 200 and token.json["csrf_token"]
    assert token.headers["Cache-Control"] == "no-store"
    me = device.auth.client.get("/api/v1/me").json
    assert me["email"] == "inspector@demo.nhs.test" and me["can_capture"] is True


def test_product_check_captured_offline_is_dated_when_it_was_made_and_applied_once(device, offline_walk, make_fixture):
    from inspect_app.alerts.models import FixtureCheck

    fixture = make_fixture("Larch Ward")
    made = (utcnow() - timedelta(hours=6)).replace(microsecond=0)
    op = device.op("fixture.check", {"fixture_id": str(fixture.id), "result": "pass", "notes": "Collapsed under load",
                                     "inspection": str(offline_walk["inspection"].id)},
                   client_time=made.isoformat() + "Z")
    first = device.send(op)
    assert first.status_code == 201, first.json
    assert first.json["result"]["result"] == "pass"
    row = first.json["result"]["row"]  # the fixture's row as it now stands, for the page to show
    assert (row["last_check_id"], row["last_result"], row["state"]) == (first.json["result"]["check_id"], "pass", "ok")
    again = device.send(op)
    assert again.json["replayed"] is True and again.json["result"] == first.json["result"]
    db.session.expire_all()
    checks = db.session.scalars(select(FixtureCheck).where(FixtureCheck.fixture_id == fixture.id)).all()
    assert len(checks) == 1
    assert checks[0].checked_at == made  # when it was done on the ward, not when it reached the server
    assert checks[0].inspection_id == offline_walk["inspection"].id
    # a device clock running ahead cannot date a check in the future
    ahead = device.send(device.op("fixture.check", {"fixture_id": str(fixture.id), "result": "pass"},
                                  client_time=(utcnow() + timedelta(days=2)).isoformat() + "Z"))
    assert ahead.status_code == 201
    db.session.expire_all()
    assert max(c.checked_at for c in db.session.scalars(select(FixtureCheck))) <= utcnow()


def test_product_check_refusals_are_4xx_with_the_reason_and_save_nothing(device, offline_walk, make_fixture, demo):
    from inspect_app.alerts.models import FixtureCheck

    fixture = make_fixture("Larch Ward")
    failed = device.send(device.op("fixture.check", {"fixture_id": str(fixture.id), "result": "fail", "notes": ""}))
    assert failed.status_code == 422 and "what failed" in failed.json["message"]
    assert device.send(device.op("fixture.check", {"fixture_id": str(fixture.id), "result": "maybe"})).status_code == 422
    assert device.send(device.op("fixture.check", {"fixture_id": "999999", "result": "pass"})).status_code == 404
    wrong = device.send(device.op("fixture.check", {"fixture_id": str(fixture.id), "result": "pass", "notes": ["x"]}))
    assert wrong.status_code == 400 and wrong.json["field"] == "notes"  # a wrong JSON type is a 400 (issue 17)
    assert _count(FixtureCheck) == 0


def test_product_check_notes_over_the_limit_are_refused_like_the_form_refuses_them(device, offline_walk, make_fixture):
    from inspect_app.alerts.models import FixtureCheck
    from inspect_app.alerts.services import CHECK_NOTES_LIMIT

    fixture = make_fixture("Larch Ward")
    long = device.send(device.op("fixture.check", {"fixture_id": str(fixture.id), "result": "pass",
                                                   "notes": "x" * (CHECK_NOTES_LIMIT + 1)}))
    assert long.status_code == 422 and "limited to 2,000 characters" in long.json["message"]
    assert _count(FixtureCheck) == 0
