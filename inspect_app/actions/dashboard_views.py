"""The patient safety lead's dashboard: counts by band and status, the 5x5 heat map of open
points, wards due for re-assessment and the overdue list, all narrowed by the same filters."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from inspect_app.actions import counts, queries
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
    attention = counts.attention(current_user, now=now)
    tallies = counts.dashboard_tallies(current_user, filters, today=today, mark=attention["marker"])
    choices, stale = counts.dashboard_wards(current_user, filters, now=now, mark=attention["marker"])
    overdue, _ = queries.action_list(current_user, replace(filters, overdue=True), today=today,
                                     per_page=OVERDUE_SHOWN)
    list_url = url_for("action_lists.index")
    return render_template(
        "dashboard/index.html", filters=filters, choices=choices, list_url=list_url,
        statuses=list(ActionStatus), count_rows=_count_rows(tallies.counts, filters, list_url),
        heat_rows=_heat_rows(tallies.heat, tallies.heat_bands, filters, list_url),
        stale=stale, overdue=overdue, overdue_total=tallies.overdue,
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


def _count_rows(counts: dict[tuple[str, str], int], filters, list_url: str) -> list[tuple[Band, Markup, int]]:
    """The counts table: per band (most severe first) its cells (a linked count per status, as
    HTML) and the open total. Built here, not in the template: 35 links with their query strings
    and screen-reader words are cheaper in Python."""
    rows = []
    for band in reversed(Band):
        cells = [Cell(counts.get((band.value, s.value), 0), _cell_queries(filters)[0][band.value, s.value],
                      f"{counts.get((band.value, s.value), 0)} {band.label} {s.label}") for s in ActionStatus]
        html = "".join(f'<td><a href="{escape(list_url)}{escape(c.query)}" aria-label="{escape(c.label)}">{c.n}</a></td>'
                       if c.n else "<td>0</td>" for c in cells)
        rows.append((band, Markup(html), sum(counts.get((band.value, s.value), 0) for s in OPEN_STATUSES)))
    return rows


def _heat_rows(heat: dict[tuple[int, int], int], held: dict[tuple[int, int], str], filters, list_url: str) -> list:
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
            cells.append(Cell(n, _cell_queries(filters)[1][likelihood, consequence], label, band, raised))
        rows.append((likelihood, LIKELIHOOD_LABELS[likelihood], Markup("".join(
            f'          <td class="heat heat--{escape(c.band)}{"" if c.n else " heat--empty"}">\n'
            f'            <a href="{escape(list_url)}{escape(c.query)}" aria-label="{escape(c.label)}">{c.n}'
            f'{"*" if c.raised else ""}</a>\n          </td>\n' for c in cells))))
    return rows


@lru_cache(maxsize=256)
def _cell_queries(filters: queries.Filters) -> tuple[dict[tuple[str, str], str], dict[tuple[int, int], str]]:
    """The counts table's and the heat map's link query strings for one filter: they depend on the
    filter alone, so they are made once per process and filter (a page has 60 of them; urlencoding
    them was ~1.5 ms of every view), never from counts (those are read on every view)."""
    counts = {(band.value, status.value): filters.query(band=band.value, status=status.value)
              for band in Band for status in ActionStatus}
    heat = {(likelihood, consequence): filters.query(likelihood=likelihood, consequence=consequence)
            for likelihood in range(1, 6) for consequence in range(1, 6)}
    return counts, heat


def _matrix_band(likelihood: int, consequence: int) -> str:
    """The matrix band of a cell by score alone (the default policy)."""
    return DEFAULT_POLICY.rule_for_score(likelihood * consequence).band.value
