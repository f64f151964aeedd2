"""Incident pages: the list, record one by hand, one incident, and its "find the point" task.

The room page of an inspection shows the room's open tasks (``open_point_tasks`` below, a
template global), so the inspector who walks the room next links the point or says why none.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.clock import utcnow
from inspect_app.estates.models import Ward
from inspect_app.estates.queries import active_wards, ward_ids_of_site
from inspect_app.estates.queries import room as room_by_id
from inspect_app.estates.scope import on_visible_ward_or_404, visible_ward_ids, ward_or_404
from inspect_app.findings.models import Finding
from inspect_app.forms_util import choices
from inspect_app.incidents import queries, services
from inspect_app.incidents.forms import IncidentForm, PointForm
from inspect_app.incidents.models import Incident
from inspect_app.presence import any_rows, register
from inspect_app.refusals import status_of
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

# No incident at all (most requests of a trust that records few): no panel needs its query.
register("incidents", queries.incident_rows)
bp = Blueprint("incidents", __name__, url_prefix="/incidents")


def _safe_next(value: str | None) -> str | None:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@bp.app_template_global()
def open_point_tasks(room_id: int, back: str | None = None) -> list[tuple[Incident, PointForm]]:
    """The room's incidents waiting for their point, each with its form (for the room page, which
    the form returns to: ``back``)."""
    tasks = queries.open_point_tasks(room_id) if any_rows("incidents") else []
    if not tasks:
        return []
    points = queries.points_in_room(room_id)
    out = []
    for incident in tasks:
        form = _point_form(points, prefix=f"p{incident.id}")
        form.next.data = back
        out.append((incident, form))
    return out


@bp.app_template_global()
def incidents_at_point(finding_id: int) -> list[Incident]:
    return queries.at_point(finding_id)


def _scope(filters) -> set[int] | None:
    """The wards the dashboard shows: those the user may see, narrowed by its site or ward filter."""
    ids = visible_ward_ids(current_user)
    ward_id, site_id = getattr(filters, "ward_id", None), getattr(filters, "site_id", None)
    if ward_id:
        return {ward_id} if ids is None or ward_id in ids else set()
    if site_id:
        site_wards = ward_ids_of_site(site_id)
        return site_wards if ids is None else site_wards & ids
    return ids


@bp.app_template_global()
def incident_picture(filters=None) -> queries.Picture:
    if not any_rows("incidents"):
        return queries.Picture(by_ward=[], by_type=[], by_category=[], total=0)
    return queries.picture(_scope(filters), now=utcnow())


@bp.app_template_global()
def incident_flagged_wards(filters=None) -> list[queries.FlaggedWard]:
    return queries.wards_to_reassess(_scope(filters)) if any_rows("incidents") else []


def _point_form(points: list[Finding], prefix: str = "", formdata=None) -> PointForm:
    form = PointForm(prefix=prefix, formdata=formdata)
    form.point.choices = choices([(0, "No point chosen")] + [
        (f.id, f"{f.ref} · {f.category}" + (f" · {f.location}" if f.location else "")) for f in points])
    return form


def incident_or_404(incident_id: int) -> Incident:
    return on_visible_ward_or_404(Incident, incident_id)


@bp.get("/")
@requires()
def index():
    ids = visible_ward_ids(current_user)
    return render_template("incidents/index.html", incidents=queries.incident_list(ids),
                           flagged=queries.wards_to_reassess(ids), may_record=_may_record_any())


def _may_record_any() -> bool:
    return current_user.role in {r.value for r in services.RECORDERS}


@bp.route("/new", methods=["GET", "POST"])
@requires(*services.RECORDERS)
def new():
    ward_id = request.values.get("ward_id", type=int)
    if ward_id is None:
        return render_template("incidents/pick_ward.html", wards=active_wards(visible_ward_ids(current_user)))
    ward = ward_or_404(ward_id)
    form = IncidentForm()
    form.room_id.choices = choices((r.id, r.name) for r in ward.active_rooms)
    form.point.choices = choices([(0, "Not known")] + [(f.id, f"{f.ref} · {f.room.name} · {f.category}")
                                                      for f in queries.points_on_ward(ward.id)])
    if request.method == "POST" and form.validate_on_submit():
        incident = _record(form, ward)
        if incident is not None:
            return redirect(url_for("incidents.show", incident_id=incident.id))
    status = 400 if request.method == "POST" else 200
    return render_template("incidents/new.html", form=form, ward=ward), status


def _record(form: IncidentForm, ward: Ward) -> Incident | None:
    room = room_by_id(form.room_id.data)
    finding = queries.point(form.point.data) if form.point.data else None
    if room is None or room.ward_id != ward.id:
        form.room_id.errors = ["Choose a room on this ward."]
        return None
    data = services.IncidentInput(room=room, occurred_at=form.occurred_at.data, incident_type=form.incident_type.data,
                                  outcome=form.outcome.data, reference=form.reference.data, summary=form.summary.data,
                                  finding=finding, fixture_category=form.fixture_category.data)
    try:
        incident = services.record_incident(data, by=current_user, now=utcnow())
    except services.IncidentError as exc:
        refuse()
        if status_of(exc) == 403:
            abort(403)
        target = getattr(form, {"finding": "point"}.get(exc.field, exc.field or ""), None) or form.summary
        target.errors = [*target.errors, str(exc)]
        return None
    flash(_recorded_message(incident), "success")
    return incident


def _recorded_message(incident: Incident) -> str:
    if incident.finding is not None:
        return (f"Incident {incident.ref} recorded. {incident.finding.ref} is now graded "
                f"{incident.finding.likelihood} x {incident.finding.consequence}; the safety leads have been told.")
    if incident.needs_point:
        return (f"Incident {incident.ref} recorded. The next inspection of {incident.room.name} will be asked to "
                "find the point; the safety leads have been told.")
    return f"Incident {incident.ref} recorded; the safety leads have been told."


@bp.get("/<int:incident_id>")
@requires()
def show(incident_id: int):
    incident = incident_or_404(incident_id)
    form = _point_form(queries.points_in_room(incident.room_id)) if incident.needs_point else None
    return render_template("incidents/show.html", incident=incident, form=form,
                           may_launch=current_user.role in ("safety_lead",))


@bp.post("/<int:incident_id>/point")
@requires(*services.POINT_FINDERS)
def point(incident_id: int):
    incident = incident_or_404(incident_id)
    prefix = request.form.get("prefix", "")
    form = _point_form(queries.points_in_room(incident.room_id), prefix=prefix, formdata=request.form)
    if not form.validate_on_submit():
        abort(400, "The form has expired or is incomplete: reload the page and try again.")
    finding = queries.point(form.point.data) if form.point.data else None
    try:
        services.resolve_point(incident, finding=finding, note=form.note.data, by=current_user, now=utcnow())
    except services.IncidentError as exc:
        abort(status_of(exc), str(exc))
    flash(f"{incident.ref}: " + (f"linked to {finding.ref}, re-graded." if finding else "no point: reason recorded."),
          "success")
    return redirect(_safe_next(form.next.data) or url_for("incidents.show", incident_id=incident.id))
