"""Collect a ward's room QR label sheet; each code opens the room in the ward's current inspection.

The code carries a stable link, ``<BASE_URL or the request's address>/r/<room id>``, not an inspection's URL: a label
stays on the wall for years, and :func:`inspect_app.reports.room_views.room_link` decides at
scan time which inspection is current.
"""
from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import select

from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.public_url import absolute

from .data import LabelSheet, RoomLabel


def room_url(room_id: int) -> str:
    """The absolute link printed in a room's QR code (``BASE_URL``, else the request's address)."""
    return absolute(url_for("room_links.room_link", room_id=room_id))


def label_sheet(ward: Ward, *, now: datetime) -> LabelSheet:
    """A label for each active room of ``ward`` in walk order (two statements).

    :param ward: loaded with its site and trust.
    :param now: printed on the sheet.
    """
    rooms = db.session.scalars(select(Room).where(Room.ward_id == ward.id, Room.active.is_(True))
                               .order_by(Room.position, Room.id))
    site = ward.site
    return LabelSheet(trust=site.trust.name, ward=ward.name, site=site.name, generated_at=now,
                      labels=tuple(RoomLabel(room.name, ward.name, site.name, room_url(room.id))
                                   for room in rooms))
