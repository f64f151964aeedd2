"""Who may see what: role checks for views and ward scoping for data.

Every view is wrapped in ``requires(...)``; a test walks ``app.url_map`` and checks that no
endpoint is left without it.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Ward, ward_managers
from inspect_app.extensions import db, login_manager

ALL_ROLES = tuple(Role)
PUBLIC = "public"


def requires(*roles: Role) -> Callable:
    """Require a signed-in user holding one of ``roles`` (all roles when none are named)."""
    allowed = frozenset(roles or ALL_ROLES)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in {r.value for r in allowed}:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # read by the url_map test
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as deliberately open to everyone (sign-in page, health check)."""
    view.allowed_roles = PUBLIC
    return view


def sees_all_wards(user) -> bool:
    return user.role in {Role.SAFETY_LEAD.value, Role.ADMIN.value, Role.INSPECTOR.value, Role.RISK_APPROVER.value}


def visible_ward_ids(user) -> set[int] | None:
    """Ward ids the user may see, or None for every ward.

    Inspectors (estates) walk every ward, safety leads and admins see the whole trust;
    a ward manager sees only the wards they manage.
    """
    if sees_all_wards(user):
        return None
    cache = g.setdefault("visible_ward_ids", {}) if has_request_context() else {}
    if user.id not in cache:  # asked several times per page (scope, filters, counts): one query per request
        rows = db.session.execute(select(ward_managers.c.ward_id).where(ward_managers.c.user_id == user.id))
        cache[user.id] = frozenset(row[0] for row in rows)
    return set(cache[user.id])


def can_see_ward(user, ward_id: int) -> bool:
    ids = visible_ward_ids(user)
    return ids is None or ward_id in ids


def ward_or_404(ward_id: int):
    """Load a ward the current user may see; 404 (not 403) so ward ids are not probed."""
    ward = db.session.get(Ward, ward_id)
    if ward is None or not can_see_ward(current_user, ward.id):
        abort(404)
    return ward
