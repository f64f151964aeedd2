"""Trust-wide check use cases: launch one (matching points and registered products on every ward,
a task per ward with a deadline) and answer a ward's task (with the points checked or photos);
the check closes itself when every ward has answered. Services flush and audit; views commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app import events
from inspect_app.alerts.models import FixtureCheck
from inspect_app.audit.services import record
from inspect_app.domain.alerts import FixtureKind
from inspect_app.domain.incidents import NHS_NUMBER_MESSAGE, looks_like_nhs_number
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Room, RoomFixture, Ward
from inspect_app.estates.scope import can_see_ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.incidents.models import Incident
from inspect_app.learning.models import TrustCheck, TrustCheckTask
from inspect_app.photos import services as photos
from inspect_app.refusals import Conflict, Forbidden

LAUNCHERS = (Role.SAFETY_LEAD,)
ANSWERERS = (Role.INSPECTOR, Role.WARD_MANAGER, Role.SAFETY_LEAD, Role.ADMIN)
LONGEST_DAYS = 90
LIMITS = {"title": 200, "category": 80, "product": 120, "instructions": 2000, "note": 2000}


class CheckError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class CheckForbidden(CheckError, Forbidden):
    """Not this person's role or ward: 403."""


class CheckAnswered(CheckError, Conflict):
    """The ward's task is already answered: 409."""


@dataclass(frozen=True)
class Criteria:
    """What a trust-wide check looks for; every criterion given must hold."""

    category: str | None = None
    product: str | None = None
    installed_before: date | None = None


def _text(field: str, value, *, required: bool = False) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise CheckError(f"{field.capitalize()} must be text.", field)
    if required and not value:
        raise CheckError(f"{field.capitalize()} is required.", field)
    if len(value) > LIMITS[field]:
        raise CheckError(f"{field.capitalize()} is at most {LIMITS[field]} characters.", field)
    if looks_like_nhs_number(value):
        raise CheckError(NHS_NUMBER_MESSAGE, field)
    return value or None


def _has(haystack: str | None, needle: str | None) -> bool:
    return needle is None or needle.lower() in (haystack or "").lower()


def _fixture_matches(fixture: RoomFixture, criteria: Criteria) -> bool:
    kind = FixtureKind(fixture.kind).label
    text = f"{kind} {fixture.label}"
    before = criteria.installed_before is None or fixture.registered_on < criteria.installed_before
    return before and _has(text, criteria.category) and _has(fixture.label, criteria.product)


def _finding_matches(finding: Finding, criteria: Criteria) -> bool:
    if criteria.installed_before is not None:
        return False  # a point has no installation date: products are matched through the register
    text = f"{finding.category} {finding.description} {finding.location}"
    return _has(finding.category, criteria.category) and _has(text, criteria.product)


def matches(criteria: Criteria) -> dict[int, list[dict]]:
    """Matching points and registered products across every active ward, by ward id."""
    out: dict[int, list[dict]] = {}
    fixtures = db.session.scalars(select(RoomFixture).join(Room).join(Ward).where(
        RoomFixture.active.is_(True), Room.active.is_(True), Ward.active.is_(True))
        .options(joinedload(RoomFixture.room)).order_by(RoomFixture.id))
    linked: set[int] = set()
    for fixture in fixtures:
        if _fixture_matches(fixture, criteria):
            out.setdefault(fixture.room.ward_id, []).append(
                {"room_id": fixture.room_id, "room": fixture.room.name, "fixture_id": fixture.id,
                 "finding_id": fixture.finding_id, "label": f"{fixture.label} (registered {fixture.registered_on})"})
            linked.add(fixture.finding_id or 0)
    points = db.session.scalars(select(Finding).join(Ward, Finding.ward_id == Ward.id).where(
        Finding.state == "present", Finding.kind == "ligature", Ward.active.is_(True))
        .options(joinedload(Finding.room)).order_by(Finding.id))
    for finding in points:
        if finding.id not in linked and _finding_matches(finding, criteria):
            out.setdefault(finding.ward_id, []).append(
                {"room_id": finding.room_id, "room": finding.room.name, "finding_id": finding.id,
                 "label": f"{finding.ref} {finding.category}"})
    return out


def launch(*, title, criteria: Criteria, due_on: date | None, instructions, by, now: datetime,
           incident: Incident | None = None, fixture_check: FixtureCheck | None = None) -> TrustCheck:
    """Launch a trust-wide check: a task on every active ward, listing what matched there.

    Every ward gets a task, not only wards with a match: the registers may be incomplete.

    :raises CheckForbidden: not a safety lead.
    :raises CheckError: no criterion, or a deadline in the past or more than 90 days away.
    """
    if by.role not in {r.value for r in LAUNCHERS}:
        raise CheckForbidden("Only a patient safety lead can launch a trust-wide check.")
    clean = Criteria(_text("category", criteria.category), _text("product", criteria.product),
                     criteria.installed_before)
    if clean == Criteria():
        raise CheckError("Say what to look for: a fixture category, a product, or installed before a date.", "category")
    today = now.date()
    if due_on is None or not today <= due_on <= today + timedelta(days=LONGEST_DAYS):
        raise CheckError(f"Set a deadline from today to {LONGEST_DAYS} days ahead.", "due_on")
    check = TrustCheck(title=_text("title", title, required=True), category=clean.category, product=clean.product,
                       installed_before=clean.installed_before, instructions=_text("instructions", instructions) or "",
                       incident_id=incident.id if incident else None,
                       fixture_check_id=fixture_check.id if fixture_check else None,
                       due_on=due_on, launched_by_id=by.id, launched_at=now)
    db.session.add(check)
    db.session.flush()
    found = matches(clean)
    for ward in db.session.scalars(select(Ward).where(Ward.active.is_(True)).order_by(Ward.id)):
        db.session.add(TrustCheckTask(check_id=check.id, ward_id=ward.id, due_on=due_on,
                                      matches=found.get(ward.id, []), finding_ids=[], photo_uuids=[]))
    db.session.flush()
    events.trust_check_launched.send(check, now=now)
    record("trust_check.launch", check, by=by, now=now,
           new={"title": check.title, "category": clean.category, "product": clean.product,
                "installed_before": clean.installed_before, "due_on": due_on,
                "matches": sum(len(v) for v in found.values())})
    return check


def answer_task(task: TrustCheckTask, *, note, finding_ids: list[int], photo_data: list[bytes], by,
                now: datetime, photo_uuids: list[str | None] | None = None) -> TrustCheckTask:
    """Answer a ward's task with the points checked (or recorded) and photos; a task that listed
    matches needs at least one of them. Closes the check when it was the last ward to answer.

    :raises CheckForbidden: not the person's role or ward.
    :raises CheckAnswered: already answered.
    :raises CheckError: points not on the ward, or no evidence.
    """
    if by.role not in {r.value for r in ANSWERERS} or not can_see_ward(by, task.ward_id):
        raise CheckForbidden("You cannot answer this ward's check.")
    if task.is_answered:
        raise CheckAnswered(f"{task.ward.name} has already answered this check.")
    note = _text("note", note, required=True)
    points = _ward_points(task, finding_ids)
    if task.matches and not points and not photo_data:
        raise CheckError("Add a photo, or choose the points you checked or recorded.", "photos")
    uuids = photo_uuids or [None] * len(photo_data)
    stored = [photos.store_photo(data, ward_id=task.ward_id, kind="check", by=by, now=now, photo_uuid=uid,
                                 caption=f"{task.check.ref}: {task.check.title}"[:500])
              for data, uid in zip(photo_data, uuids, strict=False)]
    task.answered_at, task.answered_by_id, task.answer_note = now, by.id, note
    task.finding_ids = [f.id for f in points]
    task.photo_uuids = [p.uuid for p in stored]
    db.session.flush()
    record("trust_check.answer", task, by=by, now=now, ward_id=task.ward_id,
           new={"check": task.check.ref, "note": note, "points": [f.ref for f in points], "photos": len(stored)})
    _close_if_done(task.check, by=by, now=now)
    return task


def _ward_points(task: TrustCheckTask, finding_ids: list[int]) -> list[Finding]:
    if not finding_ids:
        return []
    found = list(db.session.scalars(select(Finding).where(Finding.id.in_(finding_ids))))
    if len(found) != len(set(finding_ids)) or any(f.ward_id != task.ward_id or f.state == "removed" for f in found):
        raise CheckError("Choose points recorded on this ward.", "finding_ids")
    return found


def _close_if_done(check: TrustCheck, *, by, now: datetime) -> None:
    if check.closed_at is None and all(task.is_answered for task in check.tasks):
        check.closed_at = now
        db.session.flush()
        record("trust_check.close", check, by=by, now=now, new={"closed_at": now})
