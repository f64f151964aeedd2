"""The patient safety lead's dashboard: counts by band and status, the 5x5 heat map of open
points, wards due for re-assessment and the overdue list, all narrowed by the same filters."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request
from flask_login import current_user

from inspect_app.actions import queries
from inspect_app.actions.list_views import filter_choices
from inspect_app.clock import utcnow
from inspect_app.domain.risk import CONSEQUENCE_LABELS, DEFAULT_POLICY, LIKELIHOOD_LABELS, Band
from inspect_app.domain.workflow import OPEN_STATUSES, ActionStatus, Role
from inspect_app.security.access import requires

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
OVERDUE_SHOWN = 25


@bp.get("/")
@requires(Role.SAFETY_LEAD, Role.ADMIN)
def index():
    now = utcnow()
    today = now.date()
    # need and older_than come from the home pages' links to the action list; the dashboard has none
    filters = replace(queries.Filters.from_args(request.args), need=None, older_than=None)
    tallies = queries.dashboard_tallies(current_user, filters, today=today)
    statuses = [s for s in ActionStatus]
    bands = list(reversed(Band))
    overdue, _ = queries.action_list(current_user, replace(filters, overdue=True), today=today,
                                     per_page=OVERDUE_SHOWN)
    overdue_total = tallies.overdue
    return render_template(
        "dashboard/index.html", filters=filters, choices=filter_choices(current_user), counts=tallies.counts,
        statuses=statuses, bands=bands, open_statuses=OPEN_STATUSES,
        heat=tallies.heat, L=LIKELIHOOD_LABELS, C=CONSEQUENCE_LABELS,
        stale=queries.stale_wards(current_user, filters, now=now), overdue=overdue, overdue_total=overdue_total,
        now=now, heat_band=_heat_band(tallies.heat_bands), matrix_band=_matrix_band,
        closed_since=tallies.closed_since, finished_statuses=queries.FINISHED_VALUES)


def _matrix_band(likelihood: int, consequence: int) -> str:
    """The matrix band of a cell by score alone (the default policy)."""
    return DEFAULT_POLICY.rule_for_score(likelihood * consequence).band.value


def _heat_band(held: dict[tuple[int, int], str]):
    """A cell's colour: the highest band after the tier rule of the points in it, else the matrix
    band; a point raised by the tier rule is never drawn in a lower band's colour."""
    def band(likelihood: int, consequence: int) -> str:
        return held.get((likelihood, consequence)) or _matrix_band(likelihood, consequence)

    return band
