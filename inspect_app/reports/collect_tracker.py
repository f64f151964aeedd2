"""Collect the remediation tracker: open actions with the dashboard's filters, band then overdue.

The rows come from the remediation feature's own query (``actions.queries.export_rows``), so
the PDF lists exactly what the action list and the CSV export list for the same filters and
the same user (ward managers see only their wards). Three statements whatever the number of
actions, plus one per trust for its band policy.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from inspect_app.actions import queries
from inspect_app.domain.risk import DEFAULT_POLICY, Band
from inspect_app.domain.workflow import ActionStatus
from inspect_app.estates.models import Site, Trust, Ward
from inspect_app.extensions import db
from inspect_app.findings.services import policy_for

from .bands import BAND_RANK, all_bands, report_action, tracker_order
from .data import TrackerReport


def _scope(user, filters: queries.Filters) -> str:
    if filters.ward_id:
        ward = db.session.get(Ward, filters.ward_id)
        return f"{ward.name}, {ward.site.name}" if ward else "Unknown ward"
    if filters.site_id:
        site = db.session.get(Site, filters.site_id)
        return site.name if site else "Unknown site"
    return "Whole trust" if user.role != "ward_manager" else "Your wards"


def filter_labels(filters: queries.Filters) -> tuple[tuple[str, str], ...]:
    """The filters as the person chose them, for the report's title block."""
    status = {"open": "Open (not closed or accepted)", "all": "All"}.get(filters.status) \
        or ActionStatus(filters.status).label
    out = [("Status", status), ("Band", Band(filters.band).label if filters.band else "All")]
    if filters.likelihood:
        out.append(("Likelihood", str(filters.likelihood)))
    if filters.consequence:
        out.append(("Consequence", str(filters.consequence)))
    if filters.overdue:
        out.append(("Overdue only", "Yes"))
    return tuple(out)


def tracker_report(user, filters: queries.Filters, *, now: datetime) -> TrackerReport:
    """Snapshot the actions ``user`` may see that match ``filters``.

    :param filters: the dashboard / action list filters (site, ward, band, status, ...).
    :param now: the report's clock (ages and overdue days).
    """
    rows, policies = [], {}
    for action in queries.export_rows(user, filters, today=now.date()):
        ward = action.ward
        policy = policies.get(ward.site.trust_id) or policies.setdefault(ward.site.trust_id, policy_for(ward))
        rows.append(report_action(action, finding=action.finding, room=action.finding.room.name,
                                  ward=ward.name, site=ward.site.name, policy=policy, now=now))
    rows.sort(key=lambda a: tracker_order(a, BAND_RANK))
    trust = db.session.scalar(select(Trust).order_by(Trust.id))
    policy = policy_for(db.session.scalar(select(Ward).order_by(Ward.id))) if trust else DEFAULT_POLICY
    return TrackerReport(trust=trust.name if trust else "", scope=_scope(user, filters),
                         filters=filter_labels(filters), actions=tuple(rows), generated_at=now,
                         generated_by=user.name, bands=all_bands(policy))
