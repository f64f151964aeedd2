"""Home pages per role, and the health check (``inspect_app.ops.health``)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from inspect_app.auth.models import User
from inspect_app.checklists.library import current_published
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Room, Site, Ward
from inspect_app.estates.scope import visible_ward_ids
from inspect_app.extensions import db
from inspect_app.ops.health import health
from inspect_app.security.access import EVERYONE, public, requires

bp = Blueprint("home", __name__)


def _wards_for(user) -> list[Ward]:
    ids = visible_ward_ids(user)
    query = (select(Ward).join(Site).where(Ward.active.is_(True)).order_by(Site.name, Ward.name)
             .options(contains_eager(Ward.site)))  # each card names its site
    if ids is not None:
        query = query.where(Ward.id.in_(ids or [0]))
    return list(db.session.scalars(query))


@bp.get("/")
@requires(*EVERYONE)
def index():
    wards = _wards_for(current_user)
    room_counts = dict(db.session.execute(
        select(Room.ward_id, func.count()).where(Room.active.is_(True)).group_by(Room.ward_id)).all())
    context = {"wards": wards, "room_counts": room_counts, "checklist": current_published()}
    if current_user.role == Role.ADMIN.value:
        context["user_count"] = db.session.scalar(select(func.count()).select_from(User))
    return render_template(f"home/{current_user.role}.html", **context)


@bp.get("/healthz")
@public
def healthz():
    body, status = health()
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status
