"""The dashboard's and home pages' numbers: the counts by band and status and the heat map (from the
maintained tallies), the attention counts, and the wards due for re-assessment (with the filter's
choices). The action lists and exports are in :mod:`queries`."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, false, func, literal_column, select, true, union_all

from inspect_app.actions import tallies as maintained
from inspect_app.actions.models import Action, ClosedTally, DueTally, LiveTally
from inspect_app.actions.queries import (
    AGES,
    CLOSED_PERIOD_MONTHS,
    FAILED_CHECK_POINTS,
    IS_OPEN,
    OPEN_VALUES,
    Filters,
    bound_conditions,
    choices_from,
    narrow_terms,
    status_in,
    term_names,
)
from inspect_app.checklists.library import published_newest_first
from inspect_app.checklists.models import ChecklistTemplate
from inspect_app.domain.assurance import ASSESSMENT_TYPES
from inspect_app.domain.risk import Band
from inspect_app.domain.workflow import ActionStatus
from inspect_app.estates.models import Site, Ward
from inspect_app.estates.scope import visible_ward_ids
from inspect_app.extensions import db, generic_plans
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.presence import columns as presence_columns
from inspect_app.presence import keep as keep_presence
from inspect_app.presence import names as presence_names


@dataclass(frozen=True)
class Tallies:
    """The dashboard's numbers: counts by (band, status), open points per grade cell, overdue total.
    Closed actions are those closed on or after ``closed_since``."""

    counts: dict[tuple[str, str], int]
    heat: dict[tuple[int, int], int]
    overdue: int
    closed_since: date
    # The highest band (after the tier rule) of the points counted in each cell.
    heat_bands: dict[tuple[int, int], str] = field(default_factory=dict)


def dashboard_tallies(user, filters: Filters, *, today: date, mark: int | None = None) -> Tallies:
    """Every number on the dashboard from one grouped statement.

    No action row is read: the counts are the maintained tallies (``actions.tallies``): actions
    not finished per ward, status, band and grade cell; open ones per target date too (those due
    before today are the overdue ones, read through the target-date index); finished ones per
    month since :func:`closed_since`. So its cost follows the number of distinct buckets, not of
    actions, open or closed. Grouped by band, status, grade cell and lateness under the site, ward
    and band filters; the rest is summed here. The counts table shows every status (the status filter does not narrow
    it), the heat map ignores the grade-cell filter (so every cell stays clickable) and the
    overdue figure applies all filters, like the overdue list it heads.

    :param mark: the counts' marker as this request read it before (:func:`attention` returns it);
        read here when None.
    """
    terms = narrow_terms(user, Filters(filters.site_id, filters.ward_id, filters.band))
    since = closed_since(today)
    params = dict(terms) | {"today": today, "closed_since": since}

    def read() -> list:
        return db.session.execute(_tallies_statement(term_names(terms)), params).all()

    # Kept in the process until the counts' marker moves or the date changes. Not with a site
    # filter: which wards a site holds is not part of the counts, so the marker does not follow it.
    key = ("tallies", tuple((name, _frozen(value)) for name, value in params.items()))
    rows = read() if "site_id" in params else maintained.cached(maintained.marker() if mark is None else mark, key, read)

    def in_status(status: str) -> bool:
        return filters.status in ("all", status) or (
            filters.status == "open" and status in OPEN_VALUES)

    def in_cell(likelihood, consequence) -> bool:
        return (filters.likelihood in (None, likelihood)) and (filters.consequence in (None, consequence))

    counts: dict[tuple[str, str], int] = {}
    heat: dict[tuple[int, int], int] = {}
    heat_bands: dict[tuple[int, int], str] = {}
    overdue = 0
    for band, status, likelihood, consequence, is_late, n in rows:
        if in_cell(likelihood, consequence) and (is_late or not filters.overdue):
            counts[(band, status)] = counts.get((band, status), 0) + n
        if likelihood is not None and in_status(status):
            heat[(likelihood, consequence)] = heat.get((likelihood, consequence), 0) + n
            held = heat_bands.get((likelihood, consequence))
            if held is None or Band(band).rank > Band(held).rank:
                heat_bands[(likelihood, consequence)] = band
        if is_late and in_cell(likelihood, consequence) and in_status(status):
            overdue += n
    return Tallies(counts, heat, overdue, since, heat_bands)


@functools.lru_cache(maxsize=64)
def _tallies_statement(names: tuple[str, ...]) -> Select:
    """:func:`dashboard_tallies`' statement for terms with these names, built once per process.

    Rows of (band, status, likelihood, consequence, late, n) from the maintained counts alone:
    every action not finished (as not late), then the open ones due before today twice, as late
    and taken off the not-late count, then those finished in the period. Summed by the caller."""
    due = DueTally.target_date < bindparam("today")
    return union_all(_tally_part(LiveTally, names, False, 1), _tally_part(DueTally, names, True, 1, due),
                     _tally_part(DueTally, names, False, -1, due),
                     _tally_part(ClosedTally, names, False, 1, ClosedTally.month >= bindparam("closed_since")))


def _tally_part(model, names: tuple[str, ...], late: bool, sign: int, *where) -> Select:
    """One part of :func:`_tallies_statement`: ``model``'s counts under the filters, by band,
    status and grade cell (0 in a count's grade stands for none recorded)."""
    grade = (func.nullif(model.likelihood, 0), func.nullif(model.consequence, 0))
    query = select(model.band, model.status, *grade, (true() if late else false()).label("late"),
                   func.sum(model.n * sign).label("n")).select_from(model)
    if "site_id" in names:
        query = query.join(Ward, model.ward_id == Ward.id)
    conditions = bound_conditions(names, ward_col=model.ward_id, band_col=model.band,
                        grade_cols=(model.likelihood, model.consequence))
    return query.where(*conditions, model.n != 0, *where).group_by(model.band, model.status, *grade)


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


def closed_since(today: date) -> date:
    """First day of the period of closed counts: the month 12 months before this one (12 whole
    months and this one so far; the counts are kept per month of closing)."""
    months = today.year * 12 + today.month - 1 - CLOSED_PERIOD_MONTHS
    return date(months // 12, months % 12 + 1, 1)


def attention(user, *, now: datetime) -> dict:
    """What needs chasing on the wards the user sees: overdue by band, missing and expired interim
    controls, accepted risks due for review, proposals awaiting a risk approver, failed product
    checks awaiting repair, and actions open longer than 30, 60 and 90 days (two statements).

    No count aggregates all open work: overdue and open come from the maintained counts
    (``actions.tallies``); each other count reads only the actions it counts, through a partial
    index of its own (``Action.__table_args__``), so its cost is the number of exceptions."""
    ids = visible_ward_ids(user)
    params = {"now": now, "today": now.date()} | {f"age_{days}": now - timedelta(days=days) for days in AGES}
    if ids is not None:
        params["ward_ids"] = sorted(ids) or [0]
    statement, asked = _attention_statement(ids is not None)
    with generic_plans():  # its time comparisons made PostgreSQL plan it on every view
        row = db.session.execute(statement, params).one()
    keep_presence(asked, row[10:])  # the optional panels' existence tests (inspect_app.presence), read here too
    # the overdue counts come from the maintained counts: kept until their marker (read above, in
    # the same statement as the other counts) moves or the date changes
    overdue = dict(maintained.cached(row[9], ("overdue", params["today"], _frozen(params.get("ward_ids"))),
                                     lambda: db.session.execute(_overdue_statement(ids is not None), params).all()))
    return {"overdue": {b.value: overdue.get(b.value, 0) for b in reversed(Band)},
            "overdue_total": sum(overdue.values()), "interim_missing": row[0], "review_due": row[1],
            "ageing": dict(zip(AGES, row[2:5], strict=True)), "interim_expired": row[5], "awaiting_approval": row[6],
            "failed_check": row[7], "open": row[8], "marker": row[9]}


@functools.lru_cache(maxsize=2)
def _overdue_statement(scoped: bool) -> Select:
    """:func:`attention`'s overdue actions by band, from the counts per target date."""
    late = select(DueTally.band, func.sum(DueTally.n)).where(DueTally.target_date < bindparam("today"))
    return _in_wards(late, DueTally, scoped).group_by(DueTally.band)


@functools.lru_cache(maxsize=2)
def _attention_statement(scoped: bool) -> tuple[Select, list[str]]:
    """:func:`attention`'s other counts, one scalar subquery each, built once per process, with the
    optional panels' existence tests (registered when the views were imported) as its last columns:
    the pages that show this panel show those panels too."""
    counts = [_how_many(Action, scoped, *where) for where in _attention_conditions()]
    return (select(*counts, _how_many(LiveTally, scoped, status_in(OPEN_VALUES, LiveTally.status)), maintained.MARKER,
                   *presence_columns()), presence_names())


def _attention_conditions() -> list[tuple]:
    """:func:`attention`'s counts of actions, in order, each spelled as its partial index's
    condition (literal statuses: a planner proves a partial index usable by comparing them)."""
    accepted = literal_column(f"'{ActionStatus.RISK_ACCEPTED.value}'")
    today = bindparam("today")
    return [
        (IS_OPEN, Action.interim_in_place_at.is_(None), Action.interim_by < bindparam("now")),
        (Action.status == accepted, Action.accepted_review_date <= today),
        *[(IS_OPEN, Action.created_at < bindparam(f"age_{days}")) for days in AGES],
        (IS_OPEN, Action.interim_in_place_at.is_not(None), Action.interim_review_date < today),
        (Action.proposed_by_id.is_not(None), Action.status != accepted),
        (IS_OPEN, Action.finding_id.in_(FAILED_CHECK_POINTS)),
    ]


def _in_wards(query: Select, model, scoped: bool) -> Select:
    return query.where(model.ward_id.in_(bindparam("ward_ids", expanding=True))) if scoped else query


def _how_many(model, scoped: bool, *where) -> Any:
    """How many actions (or, for a tally, the sum of its counts) match, as a scalar subquery."""
    total = func.count() if model is Action else func.coalesce(func.sum(model.n), 0)
    return _in_wards(select(total).select_from(model).where(*where), model, scoped).scalar_subquery()


@dataclass(frozen=True)
class StaleWard:
    ward_id: int
    ward_name: str
    site_name: str
    last_signed_off: datetime | None
    template_title: str | None
    reasons: tuple[str, ...]


def dashboard_wards(user, filters: Filters, *, now: datetime, mark: int) -> tuple[dict, list[StaleWard]]:
    """The filter's choices (:func:`queries.filter_choices`) and the wards due for re-assessment, in
    one statement: every ward the user may see, with its last signed-off full annual assessment.

    Due: active wards (under the site and ward filters) whose last assessment is over 12 months old,
    never happened, or used a checklist version other than the one published now. Routine and spot
    checks are not assessments and never take a ward off the list.

    :param mark: the marker as this request read it (:func:`attention` returns it). The rows are kept
        in the process until it moves: every change of a ward, site, checklist version or an
        inspection's sign-off moves it (``tallies.WARD_LIST``). Which wards are due is worked out
        from them on every view, with ``now``."""
    ids = visible_ward_ids(user)
    params = {"ids": sorted(ids or [0])}
    rows = maintained.cached(mark, ("wards", ids is not None, tuple(params["ids"])),
                             lambda: db.session.execute(_wards_statement(ids is not None), params).all())
    year_ago = now - timedelta(days=365)
    due = []
    for ward_id, ward_name, site_id, site_name, active, signed_off_at, template_id, name, version, current_id in rows:
        if not active or filters.site_id not in (None, site_id) or filters.ward_id not in (None, ward_id):
            continue
        reasons = []
        if signed_off_at is None:
            reasons.append("No full annual assessment signed off")
        else:
            if signed_off_at < year_ago:
                reasons.append("Last assessment over 12 months ago")
            if current_id is not None and template_id != current_id:
                reasons.append("Used an older checklist version")
        if reasons:
            due.append(StaleWard(ward_id, ward_name, site_name, signed_off_at,
                                 ChecklistTemplate.title_of(name, version) if name is not None else None,
                                 tuple(reasons)))
    return choices_from(rows), due


@functools.lru_cache(maxsize=2)
def _wards_statement(scoped: bool) -> Select:
    """:func:`dashboard_wards`' statement (every ward, or those with ids ``ids``), built once per process."""
    # Only a full annual assessment resets the clock: a routine or spot check never re-assesses a ward.
    last = (select(Inspection.ward_id, func.max(Inspection.id).label("inspection_id"))
            .where(Inspection.status == InspectionStatus.SIGNED_OFF,
                   Inspection.inspection_type.in_(sorted(t.value for t in ASSESSMENT_TYPES)))
            .group_by(Inspection.ward_id).subquery())
    current = published_newest_first(ChecklistTemplate.id).limit(1).scalar_subquery()
    query = (select(Ward.id, Ward.name, Site.id, Site.name, Ward.active, Inspection.signed_off_at,
                    Inspection.template_id, ChecklistTemplate.name, ChecklistTemplate.version, current)
             .join(Site, Ward.site_id == Site.id)
             .outerjoin(last, last.c.ward_id == Ward.id).outerjoin(Inspection, Inspection.id == last.c.inspection_id)
             .outerjoin(ChecklistTemplate, ChecklistTemplate.id == Inspection.template_id)
             .order_by(Site.name, Ward.name))
    return query.where(Ward.id.in_(bindparam("ids", expanding=True))) if scoped else query
