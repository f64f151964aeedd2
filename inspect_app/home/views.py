"""Home pages per role, and the health check (``inspect_app.ops.health``)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from inspect_app.auth.queries import user_count
from inspect_app.checklists.library import current_published
from inspect_app.domain.workflow import Role
from inspect_app.estates.queries import active_room_counts, active_wards
from inspect_app.estates.scope import visible_ward_ids
from inspect_app.ops.health import health
from inspect_app.security.access import EVERYONE, public, requires

bp = Blueprint("home", __name__)


@bp.get("/")
@requires(*EVERYONE)
def index():
    context = {"wards": active_wards(visible_ward_ids(current_user)), "room_counts": active_room_counts(),
               "checklist": current_published()}
    if current_user.role == Role.ADMIN.value:
        context["user_count"] = user_count()
    return render_template(f"home/{current_user.role}.html", **context)


@bp.get("/healthz")
@public
def healthz():
    body, status = health()
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status
