"""Alert register use cases: record and edit alerts, the trust's response, the built-in list,
and recurring product checks. Each flushes and audits; the caller commits."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from inspect_app import events
from inspect_app.alerts.models import Alert, FixtureCheck
from inspect_app.audit.services import diff, record
from inspect_app.domain.alerts import CheckResult, FixtureKind, ResponseStatus
from inspect_app.estates.models import AreaType, PatientGroup, Room, RoomFixture
from inspect_app.extensions import db
from inspect_app.findings.services import FindingError
from inspect_app.inspections.services import InspectionError

BUILTIN_PATH = Path(__file__).parent / "data" / "alerts.json"
FIELDS = ("reference", "title", "issuing_body", "issued_on", "action_underway_by", "action_complete_by",
          "restricted", "required_actions", "patient_groups", "area_type_codes")


CHECK_NOTES_LIMIT = 2000  # a check's notes (the form says the same)


class AlertError(ValueError):
    """The change is refused; the message says why and is shown as it is."""


def _snapshot(alert: Alert) -> dict[str, Any]:
    return {name: getattr(alert, name) for name in FIELDS}


def _check(values: dict[str, Any], alert: Alert | None, *, trusted: bool) -> None:
    title = (values.get("title") or "").strip()
    if not title:
        raise AlertError("Give the alert's title.")
    _check_unique(alert, reference=values.get("reference"), title=title)
    _check_dates(values)
    _check_scope(values, trusted=trusted)


def _check_unique(alert: Alert | None, *, reference, title: str) -> None:
    """No other alert has this reference or this title."""
    for column, value, what in ((Alert.reference, reference, "reference"), (Alert.title, title, "title")):
        if value:
            other = db.session.scalar(select(Alert).where(column == value))
            if other is not None and other is not alert:
                raise AlertError(f"Another alert already has the {what} {value}.")


def _check_dates(values: dict[str, Any]) -> None:
    """Deadlines in order, and none before the alert was issued."""
    underway, complete = values.get("action_underway_by"), values.get("action_complete_by")
    if underway and complete and complete < underway:
        raise AlertError("The action-complete date cannot be before the action-underway date.")
    issued = values.get("issued_on")
    if issued and any(d and d < issued for d in (underway, complete)):
        raise AlertError("A deadline cannot be before the date the alert was issued.")


def _check_scope(values: dict[str, Any], *, trusted: bool) -> None:
    """Patient groups and area types the trust knows."""
    groups = set(values.get("patient_groups") or ())
    if groups - {g.value for g in PatientGroup}:
        raise AlertError(f"Unknown patient group: {', '.join(sorted(groups - {g.value for g in PatientGroup}))}.")
    codes = set(values.get("area_type_codes") or ())
    if trusted:  # the built-in list may name area types the library import has not created yet
        return
    known = set(db.session.scalars(select(AreaType.code)))
    if codes - known:
        raise AlertError(f"Unknown area type: {', '.join(sorted(codes - known))}.")


def save_alert(alert: Alert | None, *, by, now: datetime, _trusted: bool = False, **values: Any) -> Alert:
    """Create an alert (``alert`` None) or change one; only fields in :data:`FIELDS` are taken.

    :param alert: the alert to change, or None to record a new one.
    :param by: the acting user.
    :param now: the time of the change.
    :param values: field values; ``reference`` may be empty when the number is not verified.
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown alert fields {sorted(unknown)}")
    values["reference"] = (values.get("reference") or "").strip() or None
    values["patient_groups"] = sorted(set(values.get("patient_groups") or ()))
    values["area_type_codes"] = sorted(set(values.get("area_type_codes") or ()))
    _check(values, alert, trusted=_trusted)
    old = _snapshot(alert) if alert is not None else {}
    if alert is None:
        alert = Alert(created_at=now, response_status=ResponseStatus.NOT_STARTED.value)
        db.session.add(alert)
    for name, value in values.items():
        setattr(alert, name, value.strip() if isinstance(value, str) else value)
    alert.updated_at = now
    before, after = diff(old, _snapshot(alert))
    record("alert.create" if not old else "alert.update", alert, by=by, now=now, old=before or None, new=after)
    return alert


def set_response(alert: Alert, *, status: str, note: str | None, by, now: datetime) -> None:
    """Record the trust's response status (who and when are kept on the alert and in the audit).

    :param alert: the alert responded to.
    :param status: a :class:`~inspect_app.domain.alerts.ResponseStatus` value.
    :param note: what was done or why the alert does not apply.
    :param by: the acting user.
    :param now: the time of the change.
    """
    status = ResponseStatus(status)
    note = (note or "").strip() or None
    if status == ResponseStatus.NOT_APPLICABLE and not note:
        raise AlertError("Say why the alert does not apply to the trust.")
    old = {"response_status": alert.response_status, "response_note": alert.response_note}
    alert.response_status, alert.response_note = status.value, note
    alert.response_by_id, alert.response_at = getattr(by, "id", None), now
    record("alert.response", alert, by=by, now=now, old=old,
           new={"response_status": status.value, "response_note": note})


def builtin_alerts() -> list[dict[str, Any]]:
    """The verified ligature-related alerts shipped with the app (no unverified references)."""
    return json.loads(BUILTIN_PATH.read_text(encoding="utf-8"))["alerts"]


def _from_doc(doc: dict[str, Any]) -> dict[str, Any]:
    values = {name: doc.get(name) for name in FIELDS if name in doc}
    for name in ("issued_on", "action_underway_by", "action_complete_by"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return values


def find_alert(*, reference: str | None = None, title: str | None = None) -> Alert | None:
    """The registered alert with this reference (or, failing that, this title)."""
    if reference:
        return db.session.scalar(select(Alert).where(Alert.reference == reference))
    if title:
        return db.session.scalar(select(Alert).where(Alert.title == title))
    return None


def ensure_builtin_alert(*, reference: str | None, title: str | None, by, now: datetime) -> Alert | None:
    """The registered alert, or the built-in one of that reference/title added to the register.

    :param reference: the alert reference cited.
    :param title: the alert title cited (for alerts whose number is not verified).
    :param by: the acting user (None for the system).
    :param now: the time of the change.
    """
    found = find_alert(reference=reference, title=title)
    if found is not None:
        return found
    for doc in builtin_alerts():
        if (reference and doc.get("reference") == reference) or (title and doc.get("title") == title):
            return save_alert(None, by=by, now=now, _trusted=True, **_from_doc(doc))
    return None


def load_builtin_alerts(*, by=None, now: datetime) -> list[Alert]:
    """Add every built-in alert that is not registered yet; returns those added.

    :param by: the acting user (None for the system: the demo seed or CLI).
    :param now: the time of the change.
    """
    added = []
    for doc in builtin_alerts():
        if find_alert(reference=doc.get("reference"), title=doc["title"]) is None:
            added.append(save_alert(None, by=by, now=now, _trusted=True, **_from_doc(doc)))
    return added


def add_fixture(room: Room, *, kind: str, label: str, interval_days: int, alert: Alert | None, by,
                now: datetime) -> RoomFixture:
    """Register a product in a room that must be checked every ``interval_days``.

    :param room: where it is fitted.
    :param kind: a :class:`~inspect_app.domain.alerts.FixtureKind` value.
    :param label: how staff recognise it ("Bed-bay curtain track").
    :param interval_days: days between checks, 1 to 730.
    :param alert: the alert that asks for the check, if any.
    :param by: the acting user.
    :param now: the time of the change.
    """
    label = (label or "").strip()
    if not label:
        raise AlertError("Describe the fixture so staff can find it.")
    if not 1 <= int(interval_days) <= 730:
        raise AlertError("The check interval must be between 1 and 730 days.")
    fixture = RoomFixture(room=room, kind=FixtureKind(kind).value, label=label[:120],
                          interval_days=int(interval_days), alert=alert, active=True,
                          registered_on=now.date(), created_by_id=getattr(by, "id", None))
    db.session.add(fixture)
    record("fixture.create", fixture, by=by, now=now, ward_id=room.ward_id,
           new={"room": room.name, "kind": fixture.kind, "label": label, "interval_days": fixture.interval_days})
    return fixture


def record_check(fixture: RoomFixture, *, result: str, notes: str | None, by, now: datetime,
                 inspection_id: int | None = None, checked_at: datetime | None = None) -> FixtureCheck:
    """Record one check of a fixture; a failed check must say what was wrong.

    :param fixture: the fixture checked.
    :param result: a :class:`~inspect_app.domain.alerts.CheckResult` value.
    :param notes: observations; required when the check failed.
    :param by: who checked it.
    :param now: when it was recorded.
    :param inspection_id: the walk-through it was done in, if any.
    :param checked_at: when it was made, if earlier than ``now`` (captured offline).
    """
    result = CheckResult(result)
    notes = (notes or "").strip() or None
    if result == CheckResult.FAIL and not notes:
        raise AlertError("Say what failed, so it can be repaired and re-checked.")
    if notes and len(notes) > CHECK_NOTES_LIMIT:
        raise AlertError(f"Notes are limited to {CHECK_NOTES_LIMIT:,} characters.")
    if not fixture.active:
        raise AlertError("This fixture is no longer in use.")
    check = FixtureCheck(fixture=fixture, result=result.value, notes=notes, checked_at=checked_at or now,
                         checked_by_id=by.id, inspection_id=inspection_id)
    db.session.add(check)
    record("fixture.check", check, by=by, now=now, ward_id=fixture.room.ward_id, inspection_id=inspection_id,
           new={"fixture": fixture.label, "result": result.value, "notes": notes,
                "checked_at": check.checked_at.isoformat()})
    if result == CheckResult.FAIL:
        db.session.flush()
        try:  # actions raises its Extreme action
            events.product_check_failed.send(fixture, check=check, by=by, now=now)
        except (FindingError, InspectionError) as exc:
            raise AlertError(f"The failed check could not raise its Extreme action: {exc}") from None
    return check
