"""One handler per kind of offline operation: parse the payload, call the service, describe the result.

Payloads arrive as the device captured them from the page's forms, so numbers and yes/no
values may be strings. A handler returns ``(status_code, result)``; a refused operation raises
:class:`OpError` with a message for the user. Handlers flush but never commit: the caller
commits the effect together with the receipt (``api/receipts.py``).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from inspect_app import events
from inspect_app.alerts import queries as alert_queries
from inspect_app.alerts import services as alerts
from inspect_app.api import rules
from inspect_app.briefings import services as briefings
from inspect_app.checklists.models import ChecklistItem
from inspect_app.domain import risk
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Room, RoomFixture, Ward
from inspect_app.estates.scope import can_see_ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.findings.models import Finding
from inspect_app.inspections import answering, point_photos
from inspect_app.inspections import services as inspections
from inspect_app.inspections.lookup import WRITERS
from inspect_app.inspections.models import Inspection
from inspect_app.learning import services as learning
from inspect_app.learning.models import TrustCheckTask
from inspect_app.photos import services as photos
from inspect_app.photos.imaging import PhotoRejected
from inspect_app.plans import services as plans
from inspect_app.refusals import status_of
from inspect_app.security.access import ALL_ROLES, EVERYONE
from inspect_app.security.ids import MAX_ID
from inspect_app.wording import fmt_date

#: Who may send captured operations: the same people who may use the walk-through forms.
CAPTURE_ROLES = WRITERS
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


def _int(payload: Mapping, key: str, *, required: bool = True) -> int | None:
    raw = payload.get(key)
    if raw in (None, ""):
        if required:
            raise OpError(400, f"{key.replace('_', ' ').capitalize()} is missing.")
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise OpError(400, f"{key.replace('_', ' ').capitalize()} must be a whole number.") from None


def _text(payload: Mapping, key: str) -> str | None:
    """An optional text field: None when absent or empty; any other type is refused (400)."""
    value = payload.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise OpError(400, f"{key.replace('_', ' ').capitalize()} must be text.")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise OpError(400, "A yes/no field has an unexpected value.")


def _grade(raw: Any) -> tuple[int, int] | None:
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


def _visible(model, object_id: int, by):
    found = db.session.get(model, object_id)
    if found is None or not can_see_ward(by, found.ward_id):
        raise OpError(404, f"That {model.__name__.lower()} no longer exists or is not on a ward you can see.")
    return found


def _inspection_and_room(payload: Mapping, by) -> tuple[Inspection, Room]:
    inspection = _visible(Inspection, _int(payload, "inspection_id"), by)
    room = db.session.get(Room, _int(payload, "room_id"))
    if room is None or room.ward_id != inspection.ward_id:
        raise OpError(404, "That room is not on this inspection's ward.")
    return inspection, room


def _finding(payload: Mapping, by) -> Finding:
    """The point named by ``finding_id``, or by ``finding_client_id`` when it was created offline."""
    client_id = payload.get("finding_client_id")
    if payload.get("finding_id") in (None, "") and client_id:
        found = db.session.scalar(select(Finding).where(Finding.client_id == str(client_id)))
        if found is None or not can_see_ward(by, found.ward_id):
            raise OpError(409, "The ligature point this belongs to has not reached the server yet.")
        return found
    found = _visible(Finding, _int(payload, "finding_id"), by)
    if found.state == "removed":  # as on the pages: a removed point is not found
        raise OpError(404, "That ligature point no longer exists or is not on a ward you can see.")
    return found


def _item(payload: Mapping) -> ChecklistItem | None:
    item_id = _int(payload, "item_id", required=False)
    if item_id is None:
        return None
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        raise OpError(404, "That checklist item does not exist.")
    return item


def finding_result(finding: Finding) -> dict[str, Any]:
    return {"finding_id": finding.id, "ref": finding.ref, "client_id": finding.client_id,
            "band": finding.band, "score": finding.score, "load_bearing": finding.load_bearing}


def _store(file: FileStorage, finding: Finding, by, now: datetime, photo_uuid: str | None) -> dict[str, Any]:
    file.stream.seek(0)  # a retried transaction reads the upload again
    data = file.read()
    photo = photos.store_photo(data, ward_id=finding.ward_id, finding=finding, kind="finding",
                               inspection_id=finding.last_inspection_id, photo_uuid=photo_uuid, by=by, now=now)
    # The device compares this with the SHA-256 of the bytes it sent before it deletes its copy.
    return {"photo_uuid": photo.uuid, "sha256": hashlib.sha256(data).hexdigest(),
            "stored_sha256": photo.sha256, "bytes": len(data), "finding_id": finding.id}


def answer(payload, files, *, by, now, client_time=None):
    inspection, room = _inspection_and_room(payload, by)
    item = _item(payload)
    if item is None:
        raise OpError(400, "Item id is missing.")
    saved = answering.record_answer(inspection=inspection, room=room, item=item, value=str(payload.get("value")),
                                    comment=payload.get("comment") or None,
                                    na_reason=payload.get("na_reason") or None,
                                    na_detail=payload.get("na_detail") or None, by=by, now=now)
    db.session.flush()
    return 200, {"answer_id": saved.id, "item_id": item.id, "room_id": room.id, "value": saved.value,
                 "na_reason": saved.na_reason, "na_detail": saved.na_detail, "comment": saved.comment}


def answers_remaining_compliant(payload, files, *, by, now, client_time=None):
    inspection, room = _inspection_and_room(payload, by)
    marked = answering.mark_remaining_compliant(inspection=inspection, room=room,
                                                expected=_int(payload, "count"), by=by, now=now)
    return 200, {"room_id": room.id, "marked": len(marked), "item_ids": [a.item_id for a in marked]}


def finding_create(payload, files, *, by, now, client_time=None):
    inspection, room = _inspection_and_room(payload, by)
    client_id = str(payload.get("client_id") or "") or None
    if client_id:
        existing = db.session.scalar(select(Finding).where(Finding.client_id == client_id))
        if existing is not None:  # sent twice under two operation ids: still one point
            if existing.room_id != room.id:
                raise OpError(409, "That ligature point id is already used in another room.")
            return 200, {**finding_result(existing), "photos": []}
    rules.check("finding.create", payload)
    grade = _grade(payload.get("grade"))
    item = _item(payload)
    uploads = [file for file in files.getlist("photos") if file.filename]
    fields = {key: payload.get(key) for key in ("category", "description", "location", "existing_controls",
                                                "mitigation", "recommended_action", "load_bearing",
                                                "load_bearing_reason", "consequence_reason") if key in payload}
    finding = findings.record_finding(inspection=inspection, room=room, item=item, by=by, now=now,
                                      low_level=_bool(payload.get("low_level", False)), client_id=client_id,
                                      likelihood=grade[0] if grade else None,
                                      consequence=grade[1] if grade else None, **fields,
                                      photos=len(uploads) + len(payload.get("photo_uuids") or []))
    stored = [_store(file, finding, by, now, None) for file in uploads]
    if payload.get("pin_x") not in (None, "") or payload.get("pin_y") not in (None, ""):
        # as on the form: plans pins it (inspect_app.events), or refuses the point whole
        events.finding_pin_given.send(finding, x=payload.get("pin_x"), y=payload.get("pin_y"), by=by, now=now)
    if item is not None:
        answering.answer_with_point(inspection=inspection, room=room, item=item, finding=finding, by=by, now=now)
    return 201, {**finding_result(finding), "photos": stored}


def finding_update(payload, files, *, by, now, client_time=None):
    finding = _finding(payload, by)
    changes = {key: payload[key] for key in findings.EDITABLE_FIELDS if key in payload}
    if "low_level" in changes:
        changes["low_level"] = _bool(changes["low_level"])
    edited_at = payload.get("edited_at") or {}
    if not isinstance(edited_at, dict):
        raise OpError(400, "edited_at must map field names to times.")
    edited_at = {field: stamp(edited_at.get(field) or client_time, now) for field in changes}
    applied = findings.update_finding(finding, changes, by=by, now=now, edited_at=edited_at,
                                      consequence_reason=payload.get("consequence_reason") or None)
    grade = _grade(payload.get("grade"))
    if grade and grade != (finding.likelihood, finding.consequence):
        findings.grade_finding(finding, *grade, by=by, now=now,
                               consequence_reason=payload.get("consequence_reason") or None)
    superseded = sorted(set(changes) - set(applied) - {k for k, v in changes.items() if getattr(finding, k) == v})
    return 200, {**finding_result(finding), "applied": sorted(applied), "superseded": superseded}


def finding_grade(payload, files, *, by, now, client_time=None):
    finding = _finding(payload, by)
    grade = _grade(payload.get("grade"))
    if grade is None:
        raise OpError(400, "Choose a likelihood and a consequence.")
    findings.grade_finding(finding, *grade, by=by, now=now, comment=payload.get("comment"),
                           consequence_reason=payload.get("consequence_reason") or None)
    return 200, finding_result(finding)


def finding_withdraw(payload, files, *, by, now, client_time=None):
    """"Recorded in error", sent from the device: the same rules as the page (api/rules.py, the service)."""
    finding = _finding(payload, by)
    if finding.state == "removed":  # already withdrawn (by someone else, or by this op before): no change
        return 200, {**finding_result(finding), "state": finding.state}
    rules.check("finding.withdraw", payload)
    findings.withdraw_finding(finding, reason=payload.get("reason"), by=by, now=now)
    return 200, {**finding_result(finding), "state": finding.state}


def photo_add(payload, files, *, by, now, client_time=None):
    finding = _finding(payload, by)
    file = files.get("photo")
    if file is None:
        raise OpError(400, "The photo file is missing.")
    file.stream.seek(0)  # a retried transaction reads the upload again
    data = file.read()
    photo = point_photos.add_finding_photo(data, finding=finding, photo_uuid=_text(payload, "photo_uuid"), by=by, now=now)
    return 201, {"photo_uuid": photo.uuid, "sha256": hashlib.sha256(data).hexdigest(),
                 "stored_sha256": photo.sha256, "bytes": len(data), "finding_id": finding.id}


def room_access(payload, files, *, by, now, client_time=None):
    inspection, room = _inspection_and_room(payload, by)
    rules.check("room.access", payload)
    not_accessible = _bool(payload.get("not_accessible", True))
    saved = inspections.set_not_accessible(inspection=inspection, room=room, reason=payload.get("reason"),
                                           accessible=not not_accessible, by=by, now=now)
    return 200, {"room_id": room.id, "not_accessible": saved.not_accessible,
                 "reason": saved.not_accessible_reason}


def carry_forward(payload, files, *, by, now, client_time=None):
    inspection = _visible(Inspection, _int(payload, "inspection_id"), by)
    finding = _visible(Finding, _int(payload, "finding_id"), by)
    entry = inspections.record_carry_forward(inspection=inspection, finding=finding,
                                             outcome=str(payload.get("outcome") or ""),
                                             comment=payload.get("comment") or None, by=by, now=now)
    return 200, {"finding_id": finding.id, "ref": finding.ref, "outcome": entry.outcome}


def fixture_check(payload, files, *, by, now, client_time=None):
    """A product check recorded on the ward, dated when it was made on the device (a check made
    offline at ten and synced at four was made at ten: its next one falls due from then)."""
    fixture = db.session.get(RoomFixture, _int(payload, "fixture_id"))
    if fixture is None or not can_see_ward(by, fixture.room.ward_id):
        raise OpError(404, "That fixture no longer exists or is not on a ward you can see.")
    rules.check("fixture.check", payload)
    result = str(payload.get("result"))
    notes = payload.get("notes")
    inspection_id = _int(payload, "inspection", required=False)
    inspection = db.session.get(Inspection, inspection_id) if inspection_id else None
    in_walk = inspection is not None and inspection.ward_id == fixture.room.ward_id
    check = alerts.record_check(fixture, result=result, notes=notes, by=by, now=now,
                                # a device clock running fast cannot date a check ahead
                                checked_at=moment(client_time, now),
                                inspection_id=inspection.id if in_walk else None)
    db.session.flush()
    # The fixture's row as the server now sees it (its latest check may be a later one), for the
    # page that shows the row to bring it up to date without a reload.
    row = next(r for r in alert_queries.fixture_rows(today=now.date(), room_id=fixture.room_id) if r.fixture is fixture)
    return 201, {"check_id": check.id, "fixture_id": fixture.id, "label": fixture.label, "result": check.result,
                 "checked_at": check.checked_at.isoformat() + "Z",
                 "row": {"last_check_id": row.last.id, "last_result": row.last.result,
                         "last_result_label": row.last.result_label, "last_checked": fmt_date(row.last.checked_at),
                         "next_due": fmt_date(row.next_due), "state": row.state.value,
                         "state_label": row.state.label}}


def _id_list(raw: Any) -> list[int]:
    """Point ids as a JSON list or as the page's comma-separated text."""
    items = raw if isinstance(raw, list) else [p for p in str(raw or "").split(",") if p.strip()]
    try:
        ids = [int(item) for item in items if not isinstance(item, bool)]
    except (TypeError, ValueError):
        raise OpError(400, "The points must be a list of point ids.", "finding_ids") from None
    if any(not 0 < i <= MAX_ID for i in ids):
        raise OpError(400, "The points must be a list of point ids.", "finding_ids")
    return ids


def trust_check_answer(payload, files, *, by, now, client_time=None):
    """A ward's answer to a trust-wide check, made on the ward (perhaps offline), with its photos."""
    task = db.session.get(TrustCheckTask, _int(payload, "task_id"))
    if task is None or not can_see_ward(by, task.ward_id):
        raise OpError(404, "That check task no longer exists or is not on a ward you can see.")
    uploads = [file for file in files.getlist("photos") if file.filename]
    data = []
    for file in uploads:
        file.stream.seek(0)  # a retried transaction reads the upload again
        data.append(file.read())
    uuids = payload.get("photo_uuids")
    uuids = [str(u) for u in uuids] if isinstance(uuids, list) and len(uuids) == len(data) else None
    learning.answer_task(task, note=payload.get("note"), finding_ids=_id_list(payload.get("finding_ids")),
                         photo_data=data, photo_uuids=uuids, by=by, now=now)
    return 201, {"task_id": task.id, "check": task.check.ref, "ward": task.ward.name,
                 "check_closed": task.check.closed_at is not None,
                 "photos": [{"sha256": hashlib.sha256(d).hexdigest()} for d in data]}


def _percent(payload: Mapping, key: str) -> float:
    """A position typed or tapped on the form, in percent of the plan, as a fraction for the service."""
    try:
        return float(str(payload.get(key)).strip()) / 100.0
    except ValueError:
        raise OpError(400, f"{_label(key)} must be a number (a percentage of the plan).", key) from None


def point_pin(payload, files, *, by, now, client_time=None):
    """Pin a point on its ward's plan: x and y in percent, as the pin form holds them. The same
    position again changes nothing, so a replay under a new op id is harmless too."""
    finding = _finding(payload, by)
    plans.pin_point(finding, x=_percent(payload, "x"), y=_percent(payload, "y"), by=by, now=now)
    return 200, {**finding_result(finding), "pin_x": finding.pin_x, "pin_y": finding.pin_y}


def briefing_confirm(payload, files, *, by, now, client_time=None):
    """"I have read the ligature briefing", from any person of the ward (ward staff included)."""
    ward = _ward(payload, by)
    confirmation = briefings.confirm(ward, version=_text(payload, "version"), by=by, now=moment(client_time, now))
    return 200, {"ward_id": ward.id, "version": confirmation.version,
                 "confirmed_at": confirmation.confirmed_at.isoformat() + "Z"}


def _ward(payload: Mapping, by) -> Ward:
    ward = db.session.get(Ward, _int(payload, "ward_id"))
    if ward is None or not can_see_ward(by, ward.id):
        raise OpError(404, "That ward no longer exists or is not one you can see.")
    return ward


Handler = Callable[..., tuple[int, dict]]
HANDLERS: dict[str, Handler] = {
    "answer": answer,
    "answers.remaining_compliant": answers_remaining_compliant,
    "finding.create": finding_create,
    "finding.update": finding_update,
    "finding.grade": finding_grade,
    "finding.withdraw": finding_withdraw,
    "photo.add": photo_add,
    "room.access": room_access,
    "carry_forward": carry_forward,
    "fixture.check": fixture_check,
    "trust_check.answer": trust_check_answer,
    "point.pin": point_pin,
    "briefing.confirm": briefing_confirm,
}
#: Who may send each kind: the roles of the page form that makes the same change. Product checks
#: are open to every role on the pages (a ward manager records them on the ward), so here too.
#: Ward staff confirm their ward's briefing and nothing else.
ROLES: dict[str, tuple[Role, ...]] = {kind: CAPTURE_ROLES for kind in HANDLERS} | {
    "fixture.check": ALL_ROLES, "trust_check.answer": learning.ANSWERERS, "point.pin": plans.PINNERS,
    "briefing.confirm": EVERYONE}
REFUSALS = (inspections.InspectionError, findings.FindingError, photos.PhotoError, PhotoRejected, alerts.AlertError,
            learning.CheckError, plans.PlanError, briefings.BriefingError)


def run(kind: str, payload: Mapping, files, *, by, now: datetime, client_time: str | None = None
        ) -> tuple[int, dict]:
    """Apply one operation; refusals from the services become ``OpError(422)``."""
    handler = HANDLERS.get(kind)
    if handler is None:
        raise OpError(400, f"Unknown operation kind {kind!r}.")
    if by.role not in {role.value for role in ROLES.get(kind, CAPTURE_ROLES)}:
        raise OpError(403, "Your role cannot make this change; the same form on the page would refuse it too.")
    if not isinstance(payload, Mapping):
        raise OpError(400, "The operation payload must be an object.")
    check_types(payload)
    if client_time is not None and not isinstance(client_time, str):
        raise OpError(400, "The capture time must be an ISO 8601 time as text.")
    try:
        return handler(payload, files, by=by, now=now, client_time=client_time)
    except rules.RuleError as exc:
        raise OpError(422, exc.message, exc.field) from None
    except REFUSALS as exc:
        # the same status the form answers for the same rule: 409 state, 403 person, 422 input
        raise OpError(status_of(exc), str(exc), getattr(exc, "field", None)) from None

