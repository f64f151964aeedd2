"""The risk-register export: escalated and accepted ligature risks, in CSV and JSON, with the
fields a Datix or Ulysses administrator maps on import (id, ward, description, initial, current and
target score, owner, controls, review date, status, register reference).

Rows come from the same scoped export query as the action CSV, so a user exports only the wards
they may see; every value is the recorded one (nothing is inferred).
"""
from __future__ import annotations

import json

from flask import Blueprint, Response
from flask_login import current_user

from inspect_app.actions import queries
from inspect_app.actions.csv_export import write_csv
from inspect_app.actions.export_views import _download
from inspect_app.auth import queries as auth_queries
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import ActionStatus, Role
from inspect_app.findings.services import grade_trio
from inspect_app.security.access import requires
from inspect_app.wording import interim_kind_label

bp = Blueprint("risk_register", __name__, url_prefix="/exports")
ON_REGISTER = {ActionStatus.ESCALATED.value, ActionStatus.RISK_ACCEPTED.value}
FIELDS = ["id", "ligature_point", "site", "ward", "room", "description", "initial_score", "initial_band",
          "current_score", "current_band", "target_score", "target_band", "owner", "controls", "review_date",
          "status", "register_reference", "accepted_by", "opened", "updated"]
READERS = (Role.SAFETY_LEAD, Role.RISK_APPROVER, Role.ADMIN, Role.WARD_MANAGER)


def register_rows(user, *, today) -> list[dict]:
    """One dict per action on the risk register (escalated or accepted, or carrying a register reference)."""
    out = []
    for a in queries.export_rows(user, queries.Filters(status="all"), today=today):
        if a.status not in ON_REGISTER and not a.risk_register_ref:
            continue
        out.append(_row(a))
    return out


def _row(a) -> dict:
    f = a.finding
    review = a.accepted_review_date if a.status == ActionStatus.RISK_ACCEPTED.value else a.interim_review_date
    return {
        "id": a.ref, "ligature_point": f.ref, "site": a.ward.site.name, "ward": a.ward.name, "room": f.room.name,
        "description": f"{f.category}: {f.description}" if f.description else f.category,
        **_scores(grade_trio(f)),
        "owner": a.owner_label, "controls": _controls(a), "review_date": review.isoformat() if review else None,
        "status": ActionStatus(a.status).label, "register_reference": a.risk_register_ref,
        "accepted_by": a.approved_by_id and _name(a.approved_by_id),
        "opened": a.created_at.date().isoformat(), "updated": a.updated_at.date().isoformat()}


def _scores(trio) -> dict:
    """Initial, current and target score and band (None where the point has no grade)."""
    out = {}
    for name, grade in (("initial", trio.initial), ("current", trio.current), ("target", trio.target)):
        out[f"{name}_score"] = grade[2] if grade else None
        out[f"{name}_band"] = grade[3] if grade else None
    return out


def _controls(a) -> str:
    """The interim control, the accepted rationale and the existing controls, as recorded."""
    f = a.finding
    return "; ".join(part for part in (
        (f"{interim_kind_label(a.interim_control_type, a.interim_observation_level)}: {a.interim_control}"
         if a.interim_control else ""),
        f"Accepted: {a.accepted_rationale}" if a.accepted_rationale else "",
        f"Existing: {f.existing_controls}" if f.existing_controls else "") if part)


def _name(user_id: int) -> str:
    user = auth_queries.user(user_id)
    return user.name if user else ""


@bp.get("/risk-register.csv")
@requires(*READERS)
def risk_register_csv():
    rows = register_rows(current_user, today=utcnow().date())
    return _download(write_csv(FIELDS, ([row[k] for k in FIELDS] for row in rows)), "risk-register")


@bp.get("/risk-register.json")
@requires(*READERS)
def risk_register_json():
    rows = register_rows(current_user, today=utcnow().date())
    body = json.dumps({"generated": utcnow().isoformat() + "Z", "marking": "OFFICIAL-SENSITIVE", "fields": FIELDS,
                       "risks": rows}, indent=1)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="risk-register-{utcnow():%Y%m%d-%H%M}.json"',
        "Cache-Control": "private, no-store"})
