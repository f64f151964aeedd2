"""The OpenAPI 3.0 description of /api/v1, served at /api/v1/openapi.json.

Written by hand next to the views; ``tests/integration/test_openapi.py`` fails when a route or
method exists in one and not the other.
"""
from __future__ import annotations

from inspect_app.api import rules
from inspect_app.api.ops import HANDLERS

_ERROR = {"description": "Refused, with a message for the user",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_UNAUTHORISED = {"description": "The session has ended: sign in again (JSON, never a redirect)",
                 "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_CSRF = {"name": "X-CSRFToken", "in": "header", "required": True, "schema": {"type": "string"},
         "description": "A token from GET /api/v1/csrf, fetched fresh before a replay."}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


DOCUMENT = {
    "openapi": "3.0.3",
    "info": {
        "title": "Ward Safety Inspect sync API",
        "version": "1",
        "description": "Offline devices replay captured operations one at a time. Each operation carries a "
                       "client UUID (op_id); the server applies it at most once and answers a replay with the "
                       "original status and result; the same op_id with a different payload is a 409 whose body "
                       "carries the original result under \"original\". Every payload field has a fixed JSON type "
                       "(wrong types, and JSON nested more than 16 levels deep, are a 400); capture times later "
                       "than the server's clock count as its now. A change to a signed-off inspection, or that the "
                       "same page form would refuse for its state, is a 409; for the person's role, a 403. Photos are "
                       "always added, never replaced.",
    },
    "servers": [{"url": "/"}],
    "components": {
        "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error", "message"], "properties": {
                "error": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                "message": {"type": "string"},
                "op_id": {"type": "string", "format": "uuid", "nullable": True},
                "field": {"type": "string", "nullable": True,
                          "description": "The payload field the refusal is about, to mark on the form"}}},
            "Operation": {"type": "object", "required": ["op_id", "kind", "payload"], "properties": {
                "op_id": {"type": "string", "format": "uuid"},
                "kind": {"type": "string", "enum": sorted(HANDLERS)},
                "payload": {"type": "object", "additionalProperties": True,
                            "description": "The form fields, as strings or JSON values. answer: inspection_id, "
                                           "room_id, item_id, value (a ligature item: compliant, "
                                           "ligature_point, ligature_point_controlled, not_applicable; a "
                                           "check item: pass, fail, not_applicable), na_reason (required "
                                           "with not_applicable: not_present, repurposed, no_patient_access, "
                                           "covered_elsewhere, other), na_detail (required for other), "
                                           "comment (required with fail: what failed). "
                                           "answers.remaining_compliant: inspection_id, room_id, count (the "
                                           "unanswered items shown; check items are passed). "
                                           "finding.create: inspection_id, room_id, "
                                           "item_id?, client_id?, category, description, location, "
                                           "existing_controls, mitigation, recommended_action, low_level, "
                                           "load_bearing ('full'/'partial'/'none'; not given: graded as "
                                           "load-bearing), load_bearing_reason (required for 'none'), "
                                           "grade ('LxC'), consequence_reason (required when a load-bearing "
                                           "point's consequence is below 5). finding.update: finding_id (or "
                                           "finding_client_id), the changed fields (load_bearing and "
                                           "load_bearing_reason included), grade?, consequence_reason?, "
                                           "edited_at? {field: time}. finding.grade: finding_id, grade, comment, "
                                           "consequence_reason?. finding.withdraw: finding_id (or "
                                           "finding_client_id), reason ('recorded in error'). photo.add: finding_id or "
                                           "finding_client_id, photo_uuid (+ file 'photo'). room.access: "
                                           "inspection_id, room_id, not_accessible ('1'/'0'), reason. "
                                           "carry_forward: inspection_id, finding_id, outcome, comment. "
                                           "fixture.check: fixture_id, result ('pass'/'fail'), notes "
                                           "(required on fail), inspection?; dated at client_time. "
                                           "trust_check.answer: task_id, note (what was found), finding_ids "
                                           "(points checked or recorded on the ward: a list, or ids separated "
                                           "by commas), photo_uuids? (one per file, in order) + files "
                                           "'photos'; a task that listed matches needs a point or a photo."},
                "client_time": {"type": "string", "format": "date-time",
                                "description": "When the device captured it; later edits win per field."}}},
            "OperationResult": {"type": "object", "required": ["op_id", "kind", "replayed", "result"],
                                "properties": {
                                    "op_id": {"type": "string", "format": "uuid"},
                                    "kind": {"type": "string"},
                                    "replayed": {"type": "boolean"},
                                    "result": {"type": "object", "additionalProperties": True,
                                               "description": "Server ids and refs; for photos `sha256` of "
                                                              "the received bytes, to match before the "
                                                              "device deletes its copy."}}},
            "Pack": {"type": "object", "properties": {
                "inspection_id": {"type": "integer"}, "ref": {"type": "string"}, "ward": {"type": "string"},
                "generated_at": {"type": "string", "format": "date-time"},
                "read_only": {"type": "boolean"},
                "urls": {"type": "array", "items": {"type": "string"}},
                "item_categories": {"type": "object", "additionalProperties": {"type": "string"}},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}},
            # The payload rules the device checks before queuing (api/rules.py), one per kind.
            **{rules.OPENAPI_NAMES[kind]: schema for kind, schema in rules.SCHEMAS.items()},
            "ImportReport": {"type": "object", "properties": {
                "applied": {"type": "integer"}, "already_synced": {"type": "integer"},
                "refused": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object", "additionalProperties": True}}}},
        },
    },
    "security": [{"session": []}],
    "paths": {
        "/api/v1/csrf": {"get": {
            "summary": "A fresh CSRF token for the next write", "operationId": "csrf",
            "responses": {"200": {"description": "Token", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"csrf_token": {"type": "string"}}}}}},
                "401": _UNAUTHORISED}}},
        "/api/v1/me": {"get": {
            "summary": "The signed-in user", "operationId": "me",
            "responses": {"200": {"description": "User", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                 "email": {"type": "string"}, "role": {"type": "string"},
                                                 "can_capture": {"type": "boolean"}}}}}},
                "401": _UNAUTHORISED}}},
        "/api/v1/ops": {"post": {
            "summary": "Apply one captured operation, at most once", "operationId": "applyOp",
            "parameters": [_CSRF],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Operation"}},
                "multipart/form-data": {"schema": {"type": "object", "required": ["op"], "properties": {
                    "op": {"type": "string", "description": "The Operation as JSON"},
                    "photo": {"type": "string", "format": "binary"},
                    "photos": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
            "responses": {"200": {"description": "Applied, or a replay of an applied operation",
                                  "content": _json("OperationResult")},
                          "201": {"description": "Created", "content": _json("OperationResult")},
                          "400": _ERROR, "401": _UNAUTHORISED, "403": _ERROR, "404": _ERROR, "409": _ERROR,
                          "413": _ERROR, "422": _ERROR}}},
        "/api/v1/inspections/{inspection_id}/pack": {"get": {
            "summary": "What to cache to work on an inspection offline (the ward pack)", "operationId": "wardPack",
            "parameters": [{"name": "inspection_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "Pack", "content": _json("Pack")}, "401": _UNAUTHORISED,
                          "403": _ERROR, "404": _ERROR}}},
        "/api/v1/import": {"post": {
            "summary": "Re-apply an exported file of unsent items (each at most once)", "operationId": "importUnsent",
            "parameters": [_CSRF],
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": {
                    "file": {"type": "string", "format": "binary"}}}},
                "application/json": {"schema": {"type": "object", "additionalProperties": True}}}},
            "responses": {"200": {"description": "A line per item", "content": _json("ImportReport")},
                          "400": _ERROR, "401": _UNAUTHORISED, "403": _ERROR}}},
        "/api/v1/openapi.json": {"get": {
            "summary": "This document", "operationId": "openapi",
            "responses": {"200": {"description": "OpenAPI 3.0 document"}, "401": _UNAUTHORISED}}},
    },
}
