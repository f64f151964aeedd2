"""Estate administration: sites, wards and rooms (admin only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.estates import queries, services
from inspect_app.estates.forms import BulkRoomsForm, EditWardForm, RoomForm, SiteForm, WardForm
from inspect_app.forms_util import choices
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("estates", __name__, url_prefix="/admin/estate")


def _area_type_choices() -> list[tuple[int, str]]:
    return choices((a.id, f"{a.name} ({a.code})") for a in queries.area_types())


def _saved_or_refused(action, success: str) -> bool:
    try:
        action()
    except services.EstateError as exc:
        refuse(str(exc))
        return False
    flash(success, "success")
    return True


@bp.route("/", methods=["GET", "POST"])
@requires(Role.ADMIN)
def index():
    site_form = SiteForm(prefix="site")
    ward_form = WardForm(prefix="ward")
    sites = queries.sites_with_wards()
    ward_form.site_id.choices = choices((s.id, s.name) for s in sites)
    room_counts = queries.active_room_counts()
    if request.method == "POST":
        if "site-submit" in request.form and site_form.validate():
            if _saved_or_refused(lambda: services.create_site(trust=services.the_trust(), name=site_form.name.data,
                                                             code=site_form.code.data, by=current_user,
                                                             now=utcnow()),
                                f"Site {site_form.name.data} added."):
                return redirect(url_for("estates.index"))
        elif "ward-submit" in request.form and ward_form.validate():
            site = queries.site(ward_form.site_id.data) or abort(404)
            if _saved_or_refused(lambda: services.create_ward(site=site, name=ward_form.name.data,
                                                             patient_group=ward_form.patient_group.data,
                                                             bed_count=ward_form.bed_count.data or 0,
                                                             by=current_user, now=utcnow()),
                                f"Ward {ward_form.name.data} added."):
                return redirect(url_for("estates.index"))
        else:
            flash("Check the form: some fields are missing or invalid.", "error")
        return render_template("admin/estate.html", sites=sites, site_form=site_form, ward_form=ward_form,
                               room_counts=room_counts), 400
    return render_template("admin/estate.html", sites=sites, site_form=site_form, ward_form=ward_form,
                           room_counts=room_counts)


@bp.route("/wards/<int:ward_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def ward(ward_id: int):
    ward = queries.ward(ward_id) or abort(404)
    form = EditWardForm(obj=ward if request.method == "GET" else None, prefix="ward")
    bulk = BulkRoomsForm(prefix="bulk")
    bulk.area_type_id.choices = _area_type_choices()
    single = RoomForm(prefix="room")
    single.area_type_id.choices = bulk.area_type_id.choices
    status = 200
    if request.method == "POST":
        now = utcnow()
        if "ward-submit" in request.form and form.validate():
            ok = _saved_or_refused(lambda: services.update_ward(
                ward, name=form.name.data, patient_group=form.patient_group.data,
                bed_count=form.bed_count.data or 0, active=form.active.data, by=current_user, now=now),
                "Ward saved.")
        elif "bulk-submit" in request.form and bulk.validate():
            def make():
                names = services.bulk_room_names(bulk.prefix.data, bulk.first.data, bulk.last.data)
                return services.create_rooms(ward=ward, names=names, area_type_id=bulk.area_type_id.data,
                                             tier=bulk.tier.data or None, floor=bulk.floor.data,
                                             by=current_user, now=now)
            ok = _saved_or_refused(make, "Rooms created.")
        elif "room-submit" in request.form and single.validate():
            ok = _saved_or_refused(lambda: services.create_room(
                ward=ward, name=single.name.data, area_type_id=single.area_type_id.data,
                tier=single.tier.data or None, floor=single.floor.data, by=current_user, now=now), "Room added.")
        else:
            flash("Check the form: some fields are missing or invalid.", "error")
            ok = False
        if ok:
            return redirect(url_for("estates.ward", ward_id=ward.id))
        status = 400
    return render_template("admin/ward.html", ward=ward, form=form, bulk=bulk, single=single), status


@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def room(room_id: int):
    room = queries.room(room_id) or abort(404)
    form = RoomForm(obj=room if request.method == "GET" else None, prefix="room")
    form.area_type_id.choices = _area_type_choices()
    if form.validate_on_submit() and _saved_or_refused(lambda: services.update_room(
            room, name=form.name.data, area_type_id=form.area_type_id.data,
            tier=form.tier.data or room.area_type.default_tier, floor=form.floor.data,
            active=form.active.data, observation=form.observation.data or None, by=current_user,
            now=utcnow()), "Room saved."):
        return redirect(url_for("estates.ward", ward_id=room.ward_id))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/room.html", room=room, form=form), status
