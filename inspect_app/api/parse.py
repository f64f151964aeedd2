"""Reading an offline operation's payload: field types, numbers, text, yes/no, grades, device
times, and the records it names (only on wards the sender may see).

Payloads arrive as the device captured them from the page's forms, so numbers and yes/no values
may be strings. Anything unreadable is refused with :class:`OpError` (a 400, or a 404 for a
record that is gone or out of sight) before a service is called.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from inspect_app.checklists.models import ChecklistItem
from inspect_app.domain import risk
from inspect_app.estates.models import Room, Ward
from inspect_app.estates.scope import can_see_ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Inspection
from inspect_app.security.ids import MAX_ID

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


class OpError(Exception):
    """A refused operation: an HTTP status and a message for the person who captured it."""

    def __init__(self, status: int, message: str, field: str | None = None, **extra: Any):
        super().__init__(message)
        self.status, self.message, self.field, self.extra = status, message, field, extra


#: The JSON type each payload field may have (a device sends what the page's form holds, so
#: numbers and yes/no may also arrive as text). Anything else is a 400 before a handler runs.
NUMBER_FIELDS = frozenset({"inspection_id", "room_id", "item_id", "finding_id", "fixture_id", "inspection", "count",
                           "task_id", "ward_id"})
TEXT_FIELDS = frozenset({"value", "comment", "category", "description", "location", "existing_controls",
                         "mitigation", "recommended_action", "reason", "outcome", "result", "notes", "client_id",
                         "finding_client_id", "photo_uuid", "grade", "note", "version"})
DECIMAL_FIELDS = frozenset({"x", "y", "pin_x", "pin_y"})
YES_NO_FIELDS = frozenset({"low_level", "not_accessible"})


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def check_types(payload: Mapping) -> None:
    """Refuse (400) any payload field of the wrong JSON type, with the field's name."""
    for key, value in payload.items():
        if value is None:
            continue
        if key in NUMBER_FIELDS and (isinstance(value, bool) or not isinstance(value, (int, str))):
            raise OpError(400, f"{_label(key)} must be a whole number.", key)
        if key in TEXT_FIELDS and not isinstance(value, str):
            raise OpError(400, f"{_label(key)} must be text.", key)
        if key in DECIMAL_FIELDS and (isinstance(value, bool) or not isinstance(value, (int, float, str))):
            raise OpError(400, f"{_label(key)} must be a number.", key)
        if key in YES_NO_FIELDS and not isinstance(value, (bool, int, str)):
            raise OpError(400, f"{_label(key)} must be yes or no.", key)
        if key == "edited_at" and not (isinstance(value, dict) and all(
                isinstance(v, str) or v is None for v in value.values())):
            raise OpError(400, "edited_at must be a map of field names to times as text.", "edited_at")


def integer(payload: Mapping, key: str, *, required: bool = True) -> int | None:
    raw = payload.get(key)
    if raw in (None, ""):
        if required:
            raise OpError(400, f"{key.replace('_', ' ').capitalize()} is missing.")
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise OpError(400, f"{key.replace('_', ' ').capitalize()} must be a whole number.") from None


def text(payload: Mapping, key: str) -> str | None:
    """An optional text field: None when absent or empty; any other type is refused (400)."""
    value = payload.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise OpError(400, f"{key.replace('_', ' ').capitalize()} must be text.")
    return value


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise OpError(400, "A yes/no field has an unexpected value.")


def grade(raw: Any) -> tuple[int, int] | None:
    """The domain's grade parser, its refusal as a 400."""
    try:
        return risk.parse_grade(raw)
    except risk.RiskError as exc:
        raise OpError(400, str(exc)) from None


def moment(value: Any, now: datetime) -> datetime:
    """A device time as a naive-UTC datetime (``now`` when the device gave none), never later
    than ``now``: a device clock running fast (or a hostile 9999-12-31) cannot date anything
    ahead of the server, nor lock a field against every later edit (docs/decisions.md)."""
    if value in (None, ""):
        return now
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        when = when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo is not None else when
    except (ValueError, OverflowError):
        raise OpError(400, "The capture time is not an ISO 8601 time.") from None
    return min(when, now)


def stamp(value: Any, now: datetime) -> str:
    """A device time as naive-UTC ISO text, comparable as a string with the stored edit times."""
    return moment(value, now).strftime("%Y-%m-%dT%H:%M:%S.%f")


def visible(model, object_id: int, by):
    found = db.session.get(model, object_id)
    if found is None or not can_see_ward(by, found.ward_id):
        raise OpError(404, f"That {model.__name__.lower()} no longer exists or is not on a ward you can see.")
    return found


def inspection_and_room(payload: Mapping, by) -> tuple[Inspection, Room]:
    inspection = visible(Inspection, integer(payload, "inspection_id"), by)
    room = db.session.get(Room, integer(payload, "room_id"))
    if room is None or room.ward_id != inspection.ward_id:
        raise OpError(404, "That room is not on this inspection's ward.")
    return inspection, room


def finding(payload: Mapping, by) -> Finding:
    """The point named by ``finding_id``, or by ``finding_client_id`` when it was created offline."""
    client_id = payload.get("finding_client_id")
    if payload.get("finding_id") in (None, "") and client_id:
        found = db.session.scalar(select(Finding).where(Finding.client_id == str(client_id)))
        if found is None or not can_see_ward(by, found.ward_id):
            raise OpError(409, "The ligature point this belongs to has not reached the server yet.")
        return found
    found = visible(Finding, integer(payload, "finding_id"), by)
    if found.state == "removed":  # as on the pages: a removed point is not found
        raise OpError(404, "That ligature point no longer exists or is not on a ward you can see.")
    return found


def item(payload: Mapping) -> ChecklistItem | None:
    item_id = integer(payload, "item_id", required=False)
    if item_id is None:
        return None
    found = db.session.get(ChecklistItem, item_id)
    if found is None:
        raise OpError(404, "That checklist item does not exist.")
    return found


def id_list(raw: Any) -> list[int]:
    """Point ids as a JSON list or as the page's comma-separated text."""
    items = raw if isinstance(raw, list) else [p for p in str(raw or "").split(",") if p.strip()]
    try:
        ids = [int(item) for item in items if not isinstance(item, bool)]
    except (TypeError, ValueError):
        raise OpError(400, "The points must be a list of point ids.", "finding_ids") from None
    if any(not 0 < i <= MAX_ID for i in ids):
        raise OpError(400, "The points must be a list of point ids.", "finding_ids")
    return ids


def percent(payload: Mapping, key: str) -> float:
    """A position typed or tapped on the form, in percent of the plan, as a fraction for the service."""
    try:
        return float(str(payload.get(key)).strip()) / 100.0
    except ValueError:
        raise OpError(400, f"{_label(key)} must be a number (a percentage of the plan).", key) from None


def ward(payload: Mapping, by) -> Ward:
    found = db.session.get(Ward, integer(payload, "ward_id"))
    if found is None or not can_see_ward(by, found.id):
        raise OpError(404, "That ward no longer exists or is not one you can see.")
    return found
