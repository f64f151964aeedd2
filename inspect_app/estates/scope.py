"""Ward scoping: which wards a person may see, and loading a row only from one of them.

It reads the estate's ward lists (managers, staff) and sits with the estate, above ``security``
(role checks), so ``security`` imports no feature.
"""
from __future__ import annotations

from typing import TypeVar

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import String, cast, func, select

from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Site, Trust, Ward, ward_managers, ward_staff
from inspect_app.extensions import db
from inspect_app.security.access import sees_all_wards


def ward_ids_columns(user_id) -> tuple:
    """Two columns for a statement that reads an account (``user_id`` its id column): the ids of the
    wards it manages and of those it works on as ward staff, each as "1,4,7" (or None). The sign-in
    check reads them with the account; :func:`remember_ward_ids` keeps them for the request."""
    return tuple(select(func.aggregate_strings(cast(table.c.ward_id, String), ","))
                 .where(table.c.user_id == user_id).scalar_subquery() for table in (ward_managers, ward_staff))


def remember_ward_ids(user, managed: str | None, staffed: str | None) -> None:
    """Keep what :func:`ward_ids_columns` read, so :func:`visible_ward_ids` needs no statement."""
    if has_request_context() and not sees_all_wards(user):
        text = staffed if user.role == Role.WARD_STAFF.value else managed
        g.setdefault("visible_ward_ids", {})[user.id] = frozenset(int(part) for part in (text or "").split(",") if part)


def visible_ward_ids(user) -> set[int] | None:
    """Ward ids the user may see, or None for every ward.

    Inspectors (estates) walk every ward, safety leads and admins see the whole trust;
    a ward manager sees only the wards they manage, ward staff only the wards they work on.
    """
    if sees_all_wards(user):
        return None
    cache = g.setdefault("visible_ward_ids", {}) if has_request_context() else {}
    if user.id not in cache:  # asked several times per page (scope, filters, counts): one query per request
        table = ward_staff if user.role == Role.WARD_STAFF.value else ward_managers
        rows = db.session.execute(select(table.c.ward_id).where(table.c.user_id == user.id))
        cache[user.id] = frozenset(row[0] for row in rows)
    return set(cache[user.id])


def can_see_ward(user, ward_id: int) -> bool:
    ids = visible_ward_ids(user)
    return ids is None or ward_id in ids


_Row = TypeVar("_Row")


def ward_or_404(ward_id: int):
    """Load a ward the current user may see; 404 (not 403) so ward ids are not probed."""
    ward = db.session.get(Ward, ward_id)
    if ward is None or not can_see_ward(current_user, ward.id):
        abort(404)
    return ward


def on_visible_ward_or_404(model: type[_Row], row_id: int) -> _Row:
    """Load a row of ``model`` (anything with a ``ward_id``) on a ward the current user may see;
    404 for a missing row and for another ward's alike, so ids cannot be probed."""
    row = db.session.get(model, row_id)
    if row is None or not can_see_ward(current_user, row.ward_id):
        abort(404)
    return row


def staff_may_see_photos(user, ward_id: int) -> bool:
    """Photos of ligature points are for ward staff only where their trust enables it
    (``Trust.staff_photos``, off by default); every other role is unaffected."""
    if user.role != Role.WARD_STAFF.value:
        return True
    return bool(db.session.scalar(select(Trust.staff_photos).join(Site, Site.trust_id == Trust.id)
                                  .join(Ward, Ward.site_id == Site.id).where(Ward.id == ward_id)))
