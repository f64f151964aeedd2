"""The patient safety lead's dashboard: counts by band and status, the 5x5 heat map of open
points, wards due for re-assessment and the overdue list, all narrowed by the same filters."""
from __future__ import annotations

from dataclasses import dataclass, replace

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
    # the attention panel first: its statement also reads the counts' marker the tallies are kept by
    attention = queries.attention(current_user, now=now)
    tallies = queries.dashboard_tallies(current_user, filters, today=today, mark=attention["marker"])
    overdue, _ = queries.action_list(current_user, replace(filters, overdue=True), today=today,
                                     per_page=OVERDUE_SHOWN)
    return render_template(
        "dashboard/index.html", filters=filters, choices=filter_choices(current_user),
        statuses=list(ActionStatus), count_rows=_count_rows(tallies.counts, filters),
        heat_rows=_heat_rows(tallies.heat, tallies.heat_bands, filters),
        stale=queries.stale_wards(current_user, filters, now=now), overdue=overdue, overdue_total=tallies.overdue,
        now=now, closed_since=tallies.closed_since, finished_statuses=queries.FINISHED_VALUES, attention=attention)


@dataclass(frozen=True)
class Cell:
    """One linked number of the counts table or the heat map: the count, its link's query string
    (onto the action list) and its words for a screen reader."""

    n: int
    query: str
    label: str
    band: str = ""  # heat map: the cell's colour band
    raised: bool = False  # heat map: a point in it was raised above the matrix band by the tier rule


def _count_rows(counts: dict[tuple[str, str], int], filters) -> list[tuple[Band, list[Cell], int]]:
    """The counts table: per band (most severe first) a cell per status and the open total. Built
    here, not in the template: 35 links with their query strings are cheaper in Python."""
    rows = []
    for band in reversed(Band):
        cells = [Cell(counts.get((band.value, s.value), 0), filters.query(band=band.value, status=s.value),
                      f"{counts.get((band.value, s.value), 0)} {band.label} {s.label}") for s in ActionStatus]
        rows.append((band, cells, sum(counts.get((band.value, s.value), 0) for s in OPEN_STATUSES)))
    return rows


def _heat_rows(heat: dict[tuple[int, int], int], held: dict[tuple[int, int], str], filters) -> list:
    """The heat map, likelihood 5 to 1, each a row of five cells (consequence 1 to 5). A cell holding
    points takes the highest band of those points after the tier rule, an empty one the matrix band;
    a point raised by the tier rule is never drawn in a lower band's colour."""
    rows = []
    for likelihood in range(5, 0, -1):
        cells = []
        for consequence in range(1, 6):
            n = heat.get((likelihood, consequence), 0)
            matrix = _matrix_band(likelihood, consequence)
            band = held.get((likelihood, consequence)) or matrix
            raised = bool(n) and band != matrix
            label = (f"{n} open points with likelihood {likelihood} {LIKELIHOOD_LABELS[likelihood]} and consequence "
                     f"{consequence} {CONSEQUENCE_LABELS[consequence]} (score {likelihood * consequence})"
                     + (f", band {band} after the tier rule" if raised else ""))
            cells.append(Cell(n, filters.query(likelihood=likelihood, consequence=consequence), label, band, raised))
        rows.append((likelihood, LIKELIHOOD_LABELS[likelihood], cells))
    return rows


def _matrix_band(likelihood: int, consequence: int) -> str:
    """The matrix band of a cell by score alone (the default policy)."""
    return DEFAULT_POLICY.rule_for_score(likelihood * consequence).band.value
