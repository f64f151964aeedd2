"""The sync API answers hostile or careless JSON with a 400 and a message, never a 500: deep
nesting, wrong types, capture times from the future, and an op id reused with other contents."""
from __future__ import annotations

import io
import json
import uuid

import pytest
from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db
from inspect_app.findings.models import Finding


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def _audits() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("path", ["/api/v1/ops", "/api/v1/import"])
def test_deeply_nested_json_is_a_400_with_a_message(device, path):
    body = '{"op_id": "%s", "kind": "answer", "payload": %s}' % (uuid.uuid4(), _deep(1500))
    response = device.auth.client.post(path, data=body, content_type="application/json",
                                       headers={"X-CSRFToken": device.auth.token("/")})
    assert response.status_code == 400 and "nested" in response.json["message"]


def test_deeply_nested_json_in_a_multipart_op_or_import_file_is_a_400(device):
    token = device.auth.token("/")
    op = device.auth.client.post("/api/v1/ops", data={"op": _deep(3000)}, content_type="multipart/form-data",
                                 headers={"X-CSRFToken": token})
    upload = device.auth.client.post("/api/v1/import", data={"file": (io.BytesIO(_deep(3000).encode()), "x.json")},
                                     content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert (op.status_code, upload.status_code) == (400, 400)


@pytest.mark.parametrize("kind,payload", [
    ("answer", {"comment": {"a": 1}}),
    ("answer", {"value": ["compliant"]}),
    ("finding.grade", {"comment": [1, 2], "grade": "2x2"}),
    ("finding.update", {"description": 42}),
    ("finding.update", {"edited_at": {"description": 5}, "description": "x"}),
    ("room.access", {"reason": {"x": 1}}),
    ("answer", {"inspection_id": 1.5}),
    ("answer", {"room_id": True}),
    ("finding.create", {"low_level": [True]}),
])
def test_wrong_json_types_are_a_400_naming_the_field(device, offline_walk, kind, payload):
    before = _audits()
    response = device.send(device.op(kind, {"inspection_id": offline_walk["inspection"].id, "finding_id": 1,
                                            **payload}))
    assert response.status_code == 400, response.json
    assert "must be" in response.json["message"] and response.json["field"]
    assert _audits() == before


def test_a_non_text_capture_time_is_a_400(device, offline_walk):
    op = device.op("answer", {})
    op["client_time"] = {"when": "now"}
    assert device.send(op).status_code == 400
    op = device.op("answer", {})
    op["client_time"] = "9999-12-31T23:59:59-14:00"  # overflows when made UTC
    assert device.send(op).status_code == 400


def _point(device, walk) -> int:
    room = walk["rooms"]["Bedroom 1"]
    response = device.send(device.op("finding.create", {"inspection_id": walk["inspection"].id,
                                                        "room_id": room.id, "category": "Door",
                                                        "description": "Door handle", "grade": "3x4"}))
    assert response.status_code == 201
    return response.json["result"]["finding_id"]


def test_an_edit_dated_in_the_future_does_not_lock_the_field(device, offline_walk):
    finding_id = _point(device, offline_walk)
    future = device.op("finding.update", {"finding_id": finding_id, "description": "From a fast clock",
                                          "edited_at": {"description": "9999-12-31T00:00:00Z"}})
    assert device.send(future).status_code == 200
    later = device.op("finding.update", {"finding_id": finding_id, "description": "A later edit"})
    response = device.send(later)
    assert response.status_code == 200 and response.json["result"]["applied"] == ["description"]
    assert db.session.get(Finding, finding_id).description == "A later edit"


def test_a_field_locked_by_a_stored_future_time_is_released(device, offline_walk):
    finding_id = _point(device, offline_walk)
    finding = db.session.get(Finding, finding_id)
    finding.field_edited_at = {"description": "9999-12-31T00:00:00.000000"}  # stored before the clamp
    db.session.commit()
    response = device.send(device.op("finding.update", {"finding_id": finding_id, "description": "Now"}))
    assert response.json["result"]["applied"] == ["description"]


def test_a_replayed_op_id_with_another_payload_is_a_409_with_the_original_result(device, offline_walk):
    finding_id = _point(device, offline_walk)
    first = device.op("finding.update", {"finding_id": finding_id, "description": "First"})
    applied = device.send(first)
    assert applied.status_code == 200
    again = device.send(json.loads(json.dumps(first)))
    assert again.status_code == 200 and again.json["replayed"] is True  # a true retry: the original answer
    other = dict(first, payload={"finding_id": finding_id, "description": "Something else"})
    before = _audits()
    refused = device.send(other)
    assert refused.status_code == 409 and "different contents" in refused.json["message"]
    assert refused.json["original"]["result"] == applied.json["result"]
    assert _audits() == before and db.session.get(Finding, finding_id).description == "First"
