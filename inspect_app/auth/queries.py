"""Reading accounts for the admin pages and the admin's home page.

Queries return rows or objects (or None); the view decides what a missing one means (404).
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from inspect_app.auth.models import User
from inspect_app.extensions import db


def users_by_name() -> Sequence[User]:
    """Every account by name, with the wards it manages loaded (the users page)."""
    return db.session.scalars(select(User).options(selectinload(User.managed_wards)).order_by(User.name)).all()


def user(user_id: int | None) -> User | None:
    """The account with this id, or None (also for no id)."""
    return db.session.get(User, user_id) if user_id else None


def user_count() -> int:
    """How many accounts there are (active or not)."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0
