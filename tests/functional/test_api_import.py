"""Importing an exported file of unsent items applies each item once and reports per item."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.photos.models import Photo
from tests.fixtures.offline import jpeg


def _export(walk, photo: bytes) -> dict:
    client_id = str(uuid.uuid4())
    return {"format": "wsi-unsent-items", "version": 1, "exported_at": "2026-11-20T10:00:00Z", "items": [
        {"op_id": str(uuid.uuid4()), "kind": "finding.create", "client_time": "2026-11-20T09:00:00Z",
         "payload": {"inspection_id": walk["inspection"].id, "room_id": walk["rooms"]["Bedroom 1"].id,
                     "client_id": client_id, "category": "Window", "description": "Window restrictor",
                     "grade": "3x4"}, "files": {}},
        {"op_id": str(uuid.uuid4()), "kind": "photo.add", "client_time": "2026-11-20T09:01:00Z",
         "payload": {"finding_client_id": client_id, "photo_uuid": str(uuid.uuid4())},
         "files": {"photo": [{"name": "p.jpg", "type": "image/jpeg", "base64": base64.b64encode(photo).decode()}]}},
        {"op_id": str(uuid.uuid4()), "kind": "answer", "payload": {"inspection_id": walk["inspection"].id},
         "files": {}},
    ]}


def _upload(device, document):
    return device.auth.client.post("/api/v1/import", content_type="multipart/form-data",
                                   data={"file": (io.BytesIO(json.dumps(document).encode()), "unsent.json")},
                                   headers={"X-CSRFToken": device.auth.token("/")})


def test_import_applies_items_once_and_reports_each(device, offline_walk):
    photo = jpeg(7)
    document = _export(offline_walk, photo)
    first = _upload(device, document)
    assert first.status_code == 200
    assert (first.json["applied"], first.json["already_synced"], first.json["refused"]) == (2, 0, 1)
    assert first.json["items"][1]["result"]["sha256"] == hashlib.sha256(photo).hexdigest()
    assert first.json["items"][2]["status"] == "refused" and "missing" in first.json["items"][2]["message"]
    second = _upload(device, document)  # the same file again: nothing new
    assert (second.json["applied"], second.json["already_synced"]) == (0, 2)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 1


def test_import_rejects_a_file_that_is_not_an_export(device):
    response = _upload(device, {"hello": "world"})
    assert response.status_code == 400 and "not an export" in response.json["message"]


def test_an_item_refused_mid_file_loses_nothing_applied_before_or_after_it(device, offline_walk):
    document = _export(offline_walk, jpeg(8))
    finding, photo, refused = document["items"]
    document["items"] = [finding, refused, photo]  # each item is its own savepoint and commit
    response = _upload(device, document)
    assert response.status_code == 200
    assert [item["status"] for item in response.json["items"]] == ["applied", "refused", "applied"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Finding)) == 1
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 1
