"""What a captured ligature point, room visit, product check or withdrawal must contain, as JSON Schema.

Defined once here, from the services' own limits and messages, and used three ways:

- the sync API checks each payload against it (``check``) before the service runs, so a refusal
  names the field;
- the OpenAPI document publishes it (``components.schemas``);
- each capture form carries its schema (``data-rules``) and ``static/js/rules.js`` checks the form
  against it before anything is queued on the device, so what the server would refuse is refused
  on the form, with the field marked. The form pages are cached for offline use with the schema.

The schemas use a small part of JSON Schema (type, pattern, maxLength, enum, const, required,
anyOf, if/then/else, minItems) that the device's checker implements; ``x-message`` (and
``x-field`` where the failing node is not a property) say what to tell the person.
A blank text (only spaces) counts as missing: ``pattern: "\\S"``.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jsonschema_rs
from markupsafe import Markup

from inspect_app.alerts.services import CHECK_NOTES_LIMIT
from inspect_app.domain.alerts import CheckResult
from inspect_app.domain.grading import CONSEQUENCE_REASON_NEEDED, LoadBearing
from inspect_app.domain.risk import MITIGATIONS
from inspect_app.findings.forms import GRADES
from inspect_app.findings.services import GRADE_MESSAGE, PHOTO_OR_DESCRIPTION, TEXT_LIMITS
from inspect_app.findings.withdrawal import WITHDRAW_REASON_LIMIT, WITHDRAW_REASON_MESSAGE
from inspect_app.inspections.services import ACCESS_REASON_LIMIT, ACCESS_REASON_MESSAGE

FILLED = r"\S"
LOAD_BEARING_MESSAGE = "Say whether the point can bear a ligature."
LOAD_BEARING_REASON_MESSAGE = "Say why the point cannot bear a ligature (for example: collapses under 2 kg)."


def _text(limit: int, label: str, *, message: str | None = None, filled: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": limit,
                              "x-message": message or f"{label} is at most {limit:,} characters."}
    if filled:
        schema["pattern"] = FILLED
    return schema


FINDING_CREATE: dict[str, Any] = {
    "type": "object",
    "required": ["category", "grade"],
    "properties": {
        "category": _text(TEXT_LIMITS["category"], "The category", message="Choose the fixture category.",
                          filled=True),
        "description": _text(TEXT_LIMITS["description"], "The description"),
        "location": _text(TEXT_LIMITS["location"], "The location"),
        "existing_controls": _text(TEXT_LIMITS["existing_controls"], "Existing controls"),
        "recommended_action": _text(TEXT_LIMITS["recommended_action"], "The recommended action"),
        "mitigation": {"enum": ["", None, *MITIGATIONS], "x-message": "Choose a recommended mitigation from the list."},
        "grade": {"enum": GRADES, "x-message": GRADE_MESSAGE},
        "photo_uuids": {"type": "array", "items": {"type": "string"},
                        "x-message": "The photos sent with the point are not a list."},
        "load_bearing": {"enum": ["", None, *(lb.value for lb in LoadBearing)], "x-message": LOAD_BEARING_MESSAGE},
        "load_bearing_reason": _text(TEXT_LIMITS["load_bearing_reason"], "The reason"),
        "consequence_reason": _text(TEXT_LIMITS["consequence_reason"], "The reason"),
    },
    # A point needs a photo or a description (the photos follow as their own operations and are
    # named in photo_uuids; on the form they are the file input "photos").
    "allOf": [{"anyOf": [{"required": ["description"], "properties": {"description": {"pattern": FILLED}}},
                         {"required": ["photo_uuids"], "properties": {"photo_uuids": {"minItems": 1}}}],
               "x-field": "photos", "x-message": PHOTO_OR_DESCRIPTION},
              # Not load-bearing: say why. Load-bearing below Catastrophic: say why (domain.grading).
              {"if": {"required": ["load_bearing"], "properties": {"load_bearing": {"const": "none"}}},
               "then": {"required": ["load_bearing_reason"],
                        "properties": {"load_bearing_reason": {"type": "string", "pattern": FILLED}},
                        "x-field": "load_bearing_reason", "x-message": LOAD_BEARING_REASON_MESSAGE},
               "x-field": "load_bearing_reason", "x-message": LOAD_BEARING_REASON_MESSAGE},
              {"if": {"required": ["load_bearing", "grade"],
                      "properties": {"load_bearing": {"enum": ["full", "partial"]},
                                     "grade": {"enum": [g for g in GRADES if not g.endswith("x5")]}}},
               "then": {"required": ["consequence_reason"],
                        "properties": {"consequence_reason": {"type": "string", "pattern": FILLED}},
                        "x-field": "consequence_reason", "x-message": CONSEQUENCE_REASON_NEEDED},
               "x-field": "consequence_reason", "x-message": CONSEQUENCE_REASON_NEEDED}],
    "x-messages": {"category": "Choose the fixture category.", "grade": GRADE_MESSAGE},
}

ROOM_ACCESS: dict[str, Any] = {
    "type": "object",
    "properties": {"reason": {"type": ["string", "null"], "maxLength": ACCESS_REASON_LIMIT,
                              "x-message": f"The reason is at most {ACCESS_REASON_LIMIT:,} characters."}},
    # Marking a room accessible again needs no reason; marking it not accessible does.
    "if": {"required": ["not_accessible"],
           "properties": {"not_accessible": {"enum": ["0", "false", "no", "off", False]}}},
    "else": {"required": ["reason"], "properties": {"reason": {"type": "string", "pattern": FILLED}},
             "x-field": "reason", "x-message": ACCESS_REASON_MESSAGE},
    "x-messages": {},
}

FIXTURE_CHECK: dict[str, Any] = {
    "type": "object",
    "required": ["result"],
    "properties": {
        "result": {"enum": [r.value for r in CheckResult], "x-message": "Choose pass or fail."},
        "notes": {"type": ["string", "null"], "maxLength": CHECK_NOTES_LIMIT,
                  "x-message": f"Notes are limited to {CHECK_NOTES_LIMIT:,} characters."},
    },
    "if": {"required": ["result"], "properties": {"result": {"const": "fail"}}},
    "then": {"required": ["notes"], "properties": {"notes": {"type": "string", "pattern": FILLED}},
             "x-field": "notes", "x-message": "Say what failed, so it can be repaired and re-checked."},
    "x-messages": {"result": "Choose pass or fail."},
}

FINDING_WITHDRAW: dict[str, Any] = {
    "type": "object",
    "required": ["reason"],
    "properties": {"reason": _text(WITHDRAW_REASON_LIMIT, "The reason", message=WITHDRAW_REASON_MESSAGE,
                                   filled=True)},
    "x-messages": {"reason": WITHDRAW_REASON_MESSAGE},
}

#: Operation kind -> the schema of its payload (the other kinds have no free-text input to check).
SCHEMAS: dict[str, dict[str, Any]] = {"finding.create": FINDING_CREATE, "room.access": ROOM_ACCESS,
                                      "fixture.check": FIXTURE_CHECK,
                                      "finding.withdraw": FINDING_WITHDRAW}
_VALIDATORS = {kind: jsonschema_rs.validator_for(schema) for kind, schema in SCHEMAS.items()}
#: Names used for the schemas in the OpenAPI document.
OPENAPI_NAMES = {"finding.create": "FindingCreate", "room.access": "RoomAccess", "fixture.check": "FixtureCheck",
                 "finding.withdraw": "FindingWithdraw"}


class RuleError(ValueError):
    """A payload the rules refuse: the field to mark and the message for the person."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _node(schema: Mapping, path: list) -> list[Mapping]:
    """The schema nodes along ``path`` (the root first)."""
    nodes = [schema]
    for step in path:
        current = nodes[-1]
        nxt = current[step] if isinstance(current, (Mapping, list)) else None
        if nxt is None:
            break
        nodes.append(nxt)
    return nodes


def problems(kind: str, payload: Mapping) -> list[RuleError]:
    """Every rule ``payload`` breaks, as (field, message); empty when it passes or has no schema."""
    validator = _VALIDATORS.get(kind)
    if validator is None:
        return []
    schema = SCHEMAS[kind]
    found: list[RuleError] = []
    for error in validator.iter_errors(dict(payload)):
        path = list(error.schema_path)
        nodes = [n for n in _node(schema, path) if isinstance(n, Mapping)]
        if path and path[-1] == "required" and len(path) == 1:  # a top-level required field is missing
            field = str(getattr(error.kind, "property", "") or error.message.split('"')[1])
            found.append(RuleError(field, schema["x-messages"].get(field, f"{field} is missing.")))
            continue
        field = str(error.instance_path[0]) if list(error.instance_path) else None
        message = None
        for node in reversed(nodes):
            if "x-message" in node:
                message = node["x-message"]
                field = node.get("x-field", field)
                break
        found.append(RuleError(field, message or "Check what you entered and try again."))
    return found


def check(kind: str, payload: Mapping) -> None:
    """Raise :class:`RuleError` for the first rule ``payload`` breaks."""
    errors = problems(kind, payload)
    if errors:
        raise errors[0]


# What the form asks that the API does not demand: a point sent without a load-bearing answer (an
# older device's queue) is accepted and graded as load-bearing, but the form always asks it.
FORM_REQUIRED: dict[str, tuple[str, ...]] = {"finding.create": ("load_bearing",)}


def form_rules(kind: str) -> Markup:
    """The schema for a capture form's ``data-rules`` attribute (HTML-escaped JSON)."""
    schema = dict(SCHEMAS[kind])
    extra = FORM_REQUIRED.get(kind, ())
    if extra:
        schema["required"] = [*schema.get("required", []), *extra]
        properties = dict(schema["properties"])
        for name in extra:  # a blank answer is no answer on the form
            properties[name] = {**properties[name], "enum": [v for v in properties[name]["enum"] if v]}
        schema["properties"] = properties
        schema["x-messages"] = {**schema["x-messages"], "load_bearing": LOAD_BEARING_MESSAGE}
    return Markup.escape(json.dumps(schema, separators=(",", ":")))
