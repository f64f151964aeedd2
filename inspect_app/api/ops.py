"""One handler per kind of offline operation: parse the payload, call the service, describe the result.

The payload is read by ``api/parse.py`` (a device sends numbers and yes/no as the page's forms
hold them). A handler returns ``(status_code, result)``; a refused operation raises
:class:`parse.OpError` with a message for the user. Handlers flush but never commit: the caller
commits the effect together with the receipt (``api/receipts.py``).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from inspect_app import events
from inspect_app.alerts import queries as alert_queries
from inspect_app.alerts import services as alerts
from inspect_app.api import parse, rules
from inspect_app.api.parse import OpError
from inspect_app.briefings import services as briefings
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import RoomFixture
from inspect_app.estates.scope import can_see_ward
from inspect_app.extensions import db
from inspect_app.findings import editing, withdrawal
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
from inspect_app.wording import fmt_date

#: Who may send captured operations: the same people who may use the walk-through forms.
CAPTURE_ROLES = WRITERS


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
    inspection, room = parse.inspection_and_room(payload, by)
    item = parse.item(payload)
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
    inspection, room = parse.inspection_and_room(payload, by)
    marked = answering.mark_remaining_compliant(inspection=inspection, room=room,
                                                expected=parse.integer(payload, "count"), by=by, now=now)
    return 200, {"room_id": room.id, "marked": len(marked), "item_ids": [a.item_id for a in marked]}


def finding_create(payload, files, *, by, now, client_time=None):
    inspection, room = parse.inspection_and_room(payload, by)
    client_id = str(payload.get("client_id") or "") or None
    if client_id:
        existing = db.session.scalar(select(Finding).where(Finding.client_id == client_id))
        if existing is not None:  # sent twice under two operation ids: still one point
            if existing.room_id != room.id:
                raise OpError(409, "That ligature point id is already used in another room.")
            return 200, {**finding_result(existing), "photos": []}
    rules.check("finding.create", payload)
    grade = parse.grade(payload.get("grade"))
    item = parse.item(payload)
    uploads = [file for file in files.getlist("photos") if file.filename]
    fields = {key: payload.get(key) for key in ("category", "description", "location", "existing_controls",
                                                "mitigation", "recommended_action", "load_bearing",
                                                "load_bearing_reason", "consequence_reason") if key in payload}
    finding = findings.record_finding(inspection=inspection, room=room, item=item, by=by, now=now,
                                      low_level=parse.yes_no(payload.get("low_level", False)), client_id=client_id,
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
    finding = parse.finding(payload, by)
    changes = {key: payload[key] for key in findings.EDITABLE_FIELDS if key in payload}
    if "low_level" in changes:
        changes["low_level"] = parse.yes_no(changes["low_level"])
    edited_at = payload.get("edited_at") or {}
    if not isinstance(edited_at, dict):
        raise OpError(400, "edited_at must map field names to times.")
    edited_at = {field: parse.stamp(edited_at.get(field) or client_time, now) for field in changes}
    applied = editing.update_finding(finding, changes, by=by, now=now, edited_at=edited_at,
                                     consequence_reason=payload.get("consequence_reason") or None)
    grade = parse.grade(payload.get("grade"))
    if grade and grade != (finding.likelihood, finding.consequence):
        findings.grade_finding(finding, *grade, by=by, now=now,
                               consequence_reason=payload.get("consequence_reason") or None)
    superseded = sorted(set(changes) - set(applied) - {k for k, v in changes.items() if getattr(finding, k) == v})
    return 200, {**finding_result(finding), "applied": sorted(applied), "superseded": superseded}


def finding_grade(payload, files, *, by, now, client_time=None):
    finding = parse.finding(payload, by)
    grade = parse.grade(payload.get("grade"))
    if grade is None:
        raise OpError(400, "Choose a likelihood and a consequence.")
    findings.grade_finding(finding, *grade, by=by, now=now, comment=payload.get("comment"),
                           consequence_reason=payload.get("consequence_reason") or None)
    return 200, finding_result(finding)


def finding_withdraw(payload, files, *, by, now, client_time=None):
    """"Recorded in error", sent from the device: the same rules as the page (api/rules.py, the service)."""
    finding = parse.finding(payload, by)
    if finding.state == "removed":  # already withdrawn (by someone else, or by this op before): no change
        return 200, {**finding_result(finding), "state": finding.state}
    rules.check("finding.withdraw", payload)
    withdrawal.withdraw_finding(finding, reason=payload.get("reason"), by=by, now=now)
    return 200, {**finding_result(finding), "state": finding.state}


def photo_add(payload, files, *, by, now, client_time=None):
    finding = parse.finding(payload, by)
    file = files.get("photo")
    if file is None:
        raise OpError(400, "The photo file is missing.")
    file.stream.seek(0)  # a retried transaction reads the upload again
    data = file.read()
    photo = point_photos.add_finding_photo(data, finding=finding, photo_uuid=parse.text(payload, "photo_uuid"), by=by, now=now)
    return 201, {"photo_uuid": photo.uuid, "sha256": hashlib.sha256(data).hexdigest(),
                 "stored_sha256": photo.sha256, "bytes": len(data), "finding_id": finding.id}


def room_access(payload, files, *, by, now, client_time=None):
    inspection, room = parse.inspection_and_room(payload, by)
    rules.check("room.access", payload)
    not_accessible = parse.yes_no(payload.get("not_accessible", True))
    saved = inspections.set_not_accessible(inspection=inspection, room=room, reason=payload.get("reason"),
                                           accessible=not not_accessible, by=by, now=now)
    return 200, {"room_id": room.id, "not_accessible": saved.not_accessible,
                 "reason": saved.not_accessible_reason}


def carry_forward(payload, files, *, by, now, client_time=None):
    inspection = parse.visible(Inspection, parse.integer(payload, "inspection_id"), by)
    finding = parse.visible(Finding, parse.integer(payload, "finding_id"), by)
    entry = inspections.record_carry_forward(inspection=inspection, finding=finding,
                                             outcome=str(payload.get("outcome") or ""),
                                             comment=payload.get("comment") or None, by=by, now=now)
    return 200, {"finding_id": finding.id, "ref": finding.ref, "outcome": entry.outcome}


def fixture_check(payload, files, *, by, now, client_time=None):
    """A product check recorded on the ward, dated when it was made on the device (a check made
    offline at ten and synced at four was made at ten: its next one falls due from then)."""
    fixture = db.session.get(RoomFixture, parse.integer(payload, "fixture_id"))
    if fixture is None or not can_see_ward(by, fixture.room.ward_id):
        raise OpError(404, "That fixture no longer exists or is not on a ward you can see.")
    rules.check("fixture.check", payload)
    result = str(payload.get("result"))
    notes = payload.get("notes")
    inspection_id = parse.integer(payload, "inspection", required=False)
    inspection = db.session.get(Inspection, inspection_id) if inspection_id else None
    in_walk = inspection is not None and inspection.ward_id == fixture.room.ward_id
    check = alerts.record_check(fixture, result=result, notes=notes, by=by, now=now,
                                # a device clock running fast cannot date a check ahead
                                checked_at=parse.moment(client_time, now),
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




def trust_check_answer(payload, files, *, by, now, client_time=None):
    """A ward's answer to a trust-wide check, made on the ward (perhaps offline), with its photos."""
    task = db.session.get(TrustCheckTask, parse.integer(payload, "task_id"))
    if task is None or not can_see_ward(by, task.ward_id):
        raise OpError(404, "That check task no longer exists or is not on a ward you can see.")
    uploads = [file for file in files.getlist("photos") if file.filename]
    data = []
    for file in uploads:
        file.stream.seek(0)  # a retried transaction reads the upload again
        data.append(file.read())
    uuids = payload.get("photo_uuids")
    uuids = [str(u) for u in uuids] if isinstance(uuids, list) and len(uuids) == len(data) else None
    learning.answer_task(task, note=payload.get("note"), finding_ids=parse.id_list(payload.get("finding_ids")),
                         photo_data=data, photo_uuids=uuids, by=by, now=now)
    return 201, {"task_id": task.id, "check": task.check.ref, "ward": task.ward.name,
                 "check_closed": task.check.closed_at is not None,
                 "photos": [{"sha256": hashlib.sha256(d).hexdigest()} for d in data]}




def point_pin(payload, files, *, by, now, client_time=None):
    """Pin a point on its ward's plan: x and y in percent, as the pin form holds them. The same
    position again changes nothing, so a replay under a new op id is harmless too."""
    finding = parse.finding(payload, by)
    plans.pin_point(finding, x=parse.percent(payload, "x"), y=parse.percent(payload, "y"), by=by, now=now)
    return 200, {**finding_result(finding), "pin_x": finding.pin_x, "pin_y": finding.pin_y}


def briefing_confirm(payload, files, *, by, now, client_time=None):
    """"I have read the ligature briefing", from any person of the ward (ward staff included)."""
    ward = parse.ward(payload, by)
    confirmation = briefings.confirm(ward, version=parse.text(payload, "version"), by=by, now=parse.moment(client_time, now))
    return 200, {"ward_id": ward.id, "version": confirmation.version,
                 "confirmed_at": confirmation.confirmed_at.isoformat() + "Z"}




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
    parse.check_types(payload)
    if client_time is not None and not isinstance(client_time, str):
        raise OpError(400, "The capture time must be an ISO 8601 time as text.")
    try:
        return handler(payload, files, by=by, now=now, client_time=client_time)
    except rules.RuleError as exc:
        raise OpError(422, exc.message, exc.field) from None
    except REFUSALS as exc:
        # the same status the form answers for the same rule: 409 state, 403 person, 422 input
        raise OpError(status_of(exc), str(exc), getattr(exc, "field", None)) from None

