"""Loading walk-through records for a view, with ward scoping, and the roles that may write.

Anything on a ward the user may not see is a 404 (not 403) so that ids cannot be probed.
Ward managers and safety leads see inspections read-only; inspectors and admins run them.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import joinedload

from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Room, RoomFixture, Site, Ward
from inspect_app.estates.scope import can_see_ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Inspection
from inspect_app.photos.models import Photo
from inspect_app.presence import columns as presence_columns
from inspect_app.presence import keep as keep_presence
from inspect_app.presence import names as presence_names

WRITERS = (Role.INSPECTOR, Role.ADMIN)
DISCREET_COOKIE = "wsi_discreet"


def can_write() -> bool:
    return current_user.is_authenticated and current_user.role in {r.value for r in WRITERS}


def inspection_or_404(inspection_id: int | None) -> Inspection:
    inspection = (db.session.execute(_inspection_statement(), {"id": inspection_id}).unique().scalar_one_or_none()
                  if inspection_id else None)
    if inspection is None or not can_see_ward(current_user, inspection.ward_id):
        abort(404)
    return inspection


def overview_or_404(inspection_id: int) -> Inspection:
    """:func:`inspection_or_404` for the overview, reading the optional panels' existence tests
    (inspect_app.presence) in the same statement."""
    statement, asked = _overview_statement()
    row = db.session.execute(statement, {"id": inspection_id}).unique().first()
    if row is None or not can_see_ward(current_user, row[0].ward_id):
        abort(404)
    keep_presence(asked, row[1:])
    return row[0]


@functools.cache
def _overview_statement() -> tuple[Select, list[str]]:
    return (select(Inspection, *presence_columns()).where(Inspection.id == bindparam("id"))
            .options(*_with_ward_and_checklist())), presence_names()


# Statements every walk-through page runs, built once per process (values are bound parameters):
# building one cost more than running it.

def _with_ward_and_checklist() -> tuple:
    # The ward, checklist version and signatures (the banner names who signed) are on every
    # inspection page, the ward's trust on the overview (its second-look thresholds): loaded with
    # it, not one by one.
    return (joinedload(Inspection.ward).joinedload(Ward.site).joinedload(Site.trust), joinedload(Inspection.template),
            joinedload(Inspection.signatures))


@functools.cache
def _inspection_statement() -> Select:
    return select(Inspection).where(Inspection.id == bindparam("id")).options(*_with_ward_and_checklist())


@functools.cache
def _room_page_statement() -> tuple[Select, list[str]]:
    """The room page's first statement, with the optional panels' existence tests (inspect_app.presence:
    registered when the views were imported, before any request) as its last columns."""
    checks = select(RoomFixture.id).where(RoomFixture.room_id == Room.id, RoomFixture.active.is_(True)).exists()
    photos = select(Photo.id).where(Photo.inspection_id == Inspection.id, Photo.room_id == Room.id,
                                    Photo.removed_at.is_(None)).exists()  # as queries.room_photos reads them
    in_ward = and_(Room.id == bindparam("room_id"), Room.ward_id == Inspection.ward_id)  # else no room: a 404
    return (select(Inspection, Room, checks, photos, *presence_columns()).outerjoin(Room, in_ward)
            .where(Inspection.id == bindparam("inspection_id"))
            # the room page names the ward and who signed, never the site, trust or checklist version
            .options(joinedload(Inspection.ward), joinedload(Inspection.signatures),
                     joinedload(Room.area_type))), presence_names()


def room_or_404(inspection: Inspection, room_id: int | None) -> Room:
    room = db.session.get(Room, room_id, options=[joinedload(Room.area_type)]) if room_id else None
    if room is None or room.ward_id != inspection.ward_id:
        abort(404)
    return room


class RoomPage(NamedTuple):
    inspection: Inspection
    room: Room
    has_checks: bool  # fixtures with recurring product checks (most rooms have none)
    has_photos: bool  # photos of the room itself taken in this inspection


def room_page_or_404(inspection_id: int, room_id: int) -> RoomPage:
    """:func:`inspection_or_404` and :func:`room_or_404` for the room page, in one statement, and
    whether the room has fixtures with recurring product checks or photos of its own in this
    inspection (most rooms have neither, and then the page need not look for them)."""
    statement, asked = _room_page_statement()
    row = db.session.execute(statement, {"inspection_id": inspection_id, "room_id": room_id}).unique().first()
    if row is None or not can_see_ward(current_user, row[0].ward_id) or row[1] is None:
        abort(404)
    keep_presence(asked, row[4:])  # the optional panels' existence tests, read with the room
    return RoomPage(row[0], row[1], bool(row[2]), bool(row[3]))


def finding_or_404(finding_id: int | None, *, withdrawn: bool = False) -> Finding:
    """A point the user may see; one recorded in error only when ``withdrawn`` (its own page)."""
    finding = db.session.get(Finding, finding_id) if finding_id else None
    if finding is None or (finding.state == "removed" and not withdrawn) \
            or not can_see_ward(current_user, finding.ward_id):
        abort(404)
    return finding


def writable_or_409(inspection: Inspection) -> None:
    """Refuse a change to a signed-off (or superseded) inspection before any work is done."""
    if inspection.is_read_only:
        abort(409, inspection.read_only_reason)


def first_error(form) -> str:
    for field, errors in form.errors.items():
        if errors:
            label = getattr(getattr(form, field, None), "label", None)
            text = errors[0] if isinstance(errors[0], str) else "is not valid"
            return text if text.endswith(".") else f"{label.text if label else field}: {text}."
    return "Check what you entered and try again."


def room_url(inspection_id: int, room_id: int, anchor: str | None = None) -> str:
    return url_for("rooms.room", inspection_id=inspection_id, room_id=room_id, _anchor=anchor)


def is_discreet() -> bool:
    return request.cookies.get(DISCREET_COOKIE) == "1"
