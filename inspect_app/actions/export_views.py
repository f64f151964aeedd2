"""CSV exports of actions and of ligature points, with the filters of the page they came from."""
from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from inspect_app.actions import queries
from inspect_app.actions.csv_export import write_csv
from inspect_app.clock import utcnow
from inspect_app.domain.risk import MITIGATIONS
from inspect_app.domain.workflow import ActionStatus
from inspect_app.estates.scope import can_see_ward
from inspect_app.inspections.answers import answer_rows
from inspect_app.inspections.queries import inspection_or_none
from inspect_app.security.access import requires

bp = Blueprint("exports", __name__, url_prefix="/exports")

ACTION_HEADER = ["Reference", "Ligature point", "Site", "Ward", "Room", "Category", "Description", "Band", "Status",
                 "Owner", "Target date", "Overdue", "Interim control by", "Interim control", "Control owner",
                 "Interim review", "Work reference", "Risk register", "Capital scheme", "Created", "Closed"]
FINDING_HEADER = ["Reference", "Site", "Ward", "Room", "Category", "Description", "Location", "Existing controls",
                  "Mitigation", "Likelihood", "Consequence", "Score", "Band", "Low level", "State", "Action",
                  "Action status", "Target date", "Identified", "Kind"]


def _download(data: bytes, stem: str) -> Response:
    name = f"{stem}-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


def _status(value: str | None) -> str:
    return ActionStatus(value).label if value else ""


@bp.get("/actions.csv")
@requires()
def actions_csv():
    today = utcnow().date()
    filters = queries.Filters.from_args(request.args)
    rows = ([a.ref, a.finding.ref, a.ward.site.name, a.ward.name, a.finding.room.name, a.finding.category,
             a.finding.description, a.band, _status(a.status), a.owner_label, a.target_date,
             "yes" if a.is_overdue(today) else "no", a.interim_by, a.interim_control, a.interim_control_by,
             a.interim_review_date, a.work_reference, a.risk_register_ref, a.capital_ref, a.created_at, a.closed_at]
            for a in queries.export_rows(current_user, filters, today=today))
    return _download(write_csv(ACTION_HEADER, rows), "actions")


@bp.get("/findings.csv")
@requires()
def findings_csv():
    today = utcnow().date()
    filters = queries.Filters.from_args(request.args)
    rows = ([f.ref, f.ward.site.name, f.ward.name, f.room.name, f.category, f.description, f.location,
             f.existing_controls, MITIGATIONS.get(f.mitigation or "", ""), f.likelihood, f.consequence, f.score,
             f.band, "yes" if f.low_level else "no", f.state, a.ref if a else "", _status(a.status if a else None),
             a.target_date if a else None, f.created_at, "Failed check" if f.kind == "check" else "Ligature point"]
            for f, a in queries.finding_export_rows(current_user, filters, today=today))
    return _download(write_csv(FINDING_HEADER, rows), "ligature-points")


ANSWER_HEADER = ["Inspection", "Ward", "Room", "Area type", "Item", "Kind", "Category", "Prompt", "Answer",
                 "Not applicable reason", "Note", "Failed check", "Answered by", "Answered at"]


@bp.get("/inspections/<int:inspection_id>/answers.csv")
@requires()
def answers_csv(inspection_id: int):
    """Every answer of one inspection, with the reason of each Not applicable and the note of each fail."""
    inspection = inspection_or_none(inspection_id)
    if inspection is None or not can_see_ward(current_user, inspection.ward_id):
        abort(404)
    return _download(write_csv(ANSWER_HEADER, answer_rows(inspection)), f"answers-{inspection.ref}")
