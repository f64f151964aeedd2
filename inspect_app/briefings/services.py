"""The ligature briefing: its current version (derived from the data, never stored) and reading
confirmations.

The version is a fingerprint of the plan image, the room placements and the ward's open Extreme
points (``domain.plans.briefing_version``). Whatever makes a new Extreme point (a grade on the
form, an offline sync, an incident's re-grade) or changes the map changes the version, so the
briefing is due again without any feature having to announce it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from inspect_app.audit.services import record
from inspect_app.auth.models import User
from inspect_app.briefings.models import BriefingConfirmation
from inspect_app.domain.plans import briefing_version
from inspect_app.domain.risk import Band
from inspect_app.estates.models import Room, Trust, Ward
from inspect_app.estates.scope import can_see_ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.plans.services import current_plan
from inspect_app.refusals import Forbidden


class BriefingError(ValueError):
    """A refused confirmation, with a message for the user."""


class BriefingForbidden(BriefingError, Forbidden):
    """Not a person of this ward: 403 on every path."""


def current_version(ward_id: int) -> str:
    """The fingerprint of what the ward's briefing shows now (three small statements)."""
    plan = current_plan(ward_id)
    placements = db.session.execute(
        select(Room.id, Room.plan_x, Room.plan_y, Room.plan_w, Room.plan_h)
        .where(Room.ward_id == ward_id, Room.active.is_(True), Room.plan_x.is_not(None))).all()
    extreme = db.session.execute(
        select(Finding.id, Finding.pin_x, Finding.pin_y)
        .where(Finding.ward_id == ward_id, Finding.state == "present", Finding.band == Band.EXTREME.value)).all()
    return briefing_version(plan.sha256 if plan else None, [tuple(r) for r in placements],
                            [tuple(r) for r in extreme])


def confirm(ward: Ward, *, version: str | None, by, now: datetime) -> BriefingConfirmation:
    """Record that ``by`` has read the ward's current briefing (again: no second row).

    :param version: the version the person read (from the page or the device); a different one
        means the briefing changed since, and they must read it again.
    :raises BriefingForbidden: not someone who may see the ward.
    :raises BriefingError: the briefing changed since it was read.
    """
    if not can_see_ward(by, ward.id):
        raise BriefingForbidden("Only people of this ward confirm its briefing.")
    current = current_version(ward.id)
    if version and version != current:
        raise BriefingError("The briefing has changed since you opened it: read the new version and confirm again.")
    existing = db.session.scalar(select(BriefingConfirmation).where(
        BriefingConfirmation.ward_id == ward.id, BriefingConfirmation.user_id == by.id,
        BriefingConfirmation.version == current))
    if existing is not None:
        return existing
    confirmation = BriefingConfirmation(ward_id=ward.id, user_id=by.id, version=current, confirmed_at=now)
    db.session.add(confirmation)
    db.session.flush()
    record("briefing.confirm", confirmation, by=by, now=now, ward_id=ward.id, new={"version": current})
    return confirmation


def has_confirmed(ward_id: int, user_id: int, version: str) -> bool:
    return db.session.scalar(select(BriefingConfirmation.id).where(
        BriefingConfirmation.ward_id == ward_id, BriefingConfirmation.user_id == user_id,
        BriefingConfirmation.version == version)) is not None


@dataclass(frozen=True)
class Reader:
    name: str
    role: str
    confirmed_at: datetime | None  # of the current version; None: due
    last_confirmed_at: datetime | None  # of any earlier version


def readers(ward: Ward, version: str) -> list[Reader]:
    """The ward's managers and staff, plus anyone else who confirmed: who has read this version."""
    rows = db.session.execute(select(BriefingConfirmation.user_id, BriefingConfirmation.version,
                                     BriefingConfirmation.confirmed_at)
                              .where(BriefingConfirmation.ward_id == ward.id)).all()
    current = {uid: at for uid, v, at in rows if v == version}
    latest: dict[int, datetime] = {}
    for uid, _, at in rows:
        latest[uid] = max(at, latest.get(uid, at))
    people = {u.id: u for u in [*ward.managers, *ward.staff] if u.active}
    others = set(latest) - set(people)
    if others:
        people.update({u.id: u for u in db.session.scalars(select(User).where(User.id.in_(others)))})
    return sorted((Reader(u.name, u.role_label, current.get(u.id), latest.get(u.id)) for u in people.values()),
                  key=lambda r: (r.confirmed_at is not None, r.name))


def set_staff_photos(trust: Trust, *, enabled: bool, by, now: datetime) -> None:
    """Let ward staff see photos of ligature points on their wards, or stop them (audited)."""
    if trust.staff_photos != bool(enabled):
        record("trust.staff_photos", trust, by=by, now=now, old={"staff_photos": trust.staff_photos},
               new={"staff_photos": bool(enabled)})
        trust.staff_photos = bool(enabled)
