"""``/r/<room id>``: the link in a room's QR label. Opens the room in the ward's current
inspection (the one in progress, else the latest), after sign-in like every page."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from inspect_app.clock import utcnow
from inspect_app.errors import error_response
from inspect_app.estates import queries as estate_queries
from inspect_app.estates.scope import ward_or_404
from inspect_app.inspections.lookup import can_write
from inspect_app.inspections.queries import latest_unsuperseded
from inspect_app.inspections.services import in_progress_for, record_label_scan
from inspect_app.security.access import requires

bp = Blueprint("room_links", __name__)
ROOM_PAGE = "rooms.room"  # the walk-through's room page


@bp.get("/r/<int:room_id>")
@requires()
def room_link(room_id: int):
    room = estate_queries.room(room_id)
    if room is None:
        abort(404)
    ward = ward_or_404(room.ward_id)
    running = in_progress_for(ward.id)
    # Proof of presence: the label is on the room's door, so opening it shows someone was there.
    if running is not None and can_write():
        record_label_scan(inspection=running, room=room, by=current_user, now=utcnow())  # kept: the answer is a 302
    inspection = running or latest_unsuperseded(ward.id)
    if inspection is None:
        return error_response(404, f"{ward.name} has not been inspected yet, so there is no room page to "
                                   "open. Start an inspection of the ward first.")
    return redirect(url_for(ROOM_PAGE, inspection_id=inspection.id, room_id=room.id))
