"""Who may do what: role checks for views (ward scoping for data is ``estates/scope.py``).

Every view is wrapped in ``requires(...)``; a test walks ``app.url_map`` and checks that no
endpoint is left without it.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from inspect_app.domain.workflow import Role
from inspect_app.extensions import login_manager

#: The roles that work on the estate: ``requires()`` with no roles means these. Ward staff are
#: deliberately not among them, so a view opens to them only where it names them (a new role must
#: never fall through to a permissive default).
ALL_ROLES = tuple(role for role in Role if role is not Role.WARD_STAFF)
#: Every signed-in person, ward staff included: sign-out, password, home page, the briefing.
EVERYONE = tuple(Role)
PUBLIC = "public"


def requires(*roles: Role) -> Callable:
    """Require a signed-in user holding one of ``roles`` (every estate role, :data:`ALL_ROLES`,
    when none are named: ward staff only where a view names them)."""
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
