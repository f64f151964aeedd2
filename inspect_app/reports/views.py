"""Report pages and downloads: the inspection report (PDF and HTML), the remediation tracker
PDF and a ward's room QR labels. The HTML report shows photos through the photos feature's
own URLs (its 800 px "report" rendition).

Every role may use them, scoped to the wards the person may see: another ward's inspection is
a 404, as everywhere else.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from inspect_app.actions import queries
from inspect_app.actions.queries import filter_choices
from inspect_app.clock import utcnow
from inspect_app.domain.risk import Tier
from inspect_app.estates import queries as estate_queries
from inspect_app.estates.scope import can_see_ward, visible_ward_ids
from inspect_app.inspections.models import Inspection
from inspect_app.security.access import requires

from . import collect, downloads
from . import queries as report_reads
from .collect_labels import label_sheet
from .collect_tracker import tracker_report
from .heat import heat_rows
from .pdf import render_inspection, render_labels, render_tracker

bp = Blueprint("reports", __name__, url_prefix="/reports")
RECENT_INSPECTIONS = 50


def _inspection_or_404(inspection_id: int) -> Inspection:
    inspection = collect.load_inspection(inspection_id)
    if inspection is None or not can_see_ward(current_user, inspection.ward_id):
        abort(404)
    return inspection


@bp.get("/")
@requires()
def index():
    """Recent inspections of the wards the person sees, the tracker form, and label sheets."""
    ids = visible_ward_ids(current_user)
    return render_template("reports/index.html", inspections=report_reads.recent_inspections(ids, RECENT_INSPECTIONS),
                           choices=filter_choices(current_user))


@bp.get("/inspections/<int:inspection_id>")
@requires()
def inspection_html(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    report = collect.inspection_report(
        inspection, by=current_user, now=utcnow(),
        photo_source=lambda photo: url_for("photos.file", uuid=photo.uuid, rendition="report"))
    return render_template("reports/inspection.html", report=report, inspection=inspection,
                           heat=heat_rows(report), TIERS=list(Tier))


@bp.get("/inspections/<int:inspection_id>.pdf")
@requires()
def inspection_pdf(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    report = collect.inspection_report(inspection, by=current_user, now=utcnow())
    name = downloads.inspection_filename(report.ward, report.started_at, report.inspection_ref,
                                         draft=report.is_draft)
    return downloads.deliver(render_inspection, report, owner_id=current_user.id, filename=name,
                             unit="ligature points", total=report.finding_count)


@bp.get("/tracker.pdf")
@requires()
def tracker_pdf():
    """The tracker with the action list's and dashboard's query-string filters."""
    now = utcnow()
    filters = queries.Filters.from_args(request.args)
    if filters.ward_id and not can_see_ward(current_user, filters.ward_id):
        abort(404)
    if filters.site_id and estate_queries.site(filters.site_id) is None:
        abort(404)
    report = tracker_report(current_user, filters, now=now)
    return downloads.deliver(render_tracker, report, owner_id=current_user.id,
                             filename=downloads.tracker_filename(report.scope, now.date()),
                             unit="actions", total=len(report.actions))


@bp.get("/wards/<int:ward_id>/labels.pdf")
@requires()
def labels_pdf(ward_id: int):
    ward = report_reads.ward_with_trust(ward_id)
    if ward is None or not can_see_ward(current_user, ward.id):
        abort(404)
    now = utcnow()
    sheet = label_sheet(ward, now=now)
    return downloads.deliver(render_labels, sheet, owner_id=current_user.id,
                             filename=downloads.labels_filename(ward.name, now.date()),
                             unit="room labels", total=len(sheet.labels))
