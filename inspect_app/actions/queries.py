"""Read-side queries for remediation: filtered action lists, overdue and ageing counts, the
dashboard's tallies and heat map, and wards due for re-assessment.

Each function issues a fixed number of statements whatever the data size (lists eager-load what
their pages show), which a test checks.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, and_, bindparam, func, literal_column, select, tuple_
from sqlalchemy.orm import contains_eager, joinedload

from inspect_app.actions.models import Action, ActionEvent, ActionRow
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.domain.risk import Band
from inspect_app.domain.workflow import OPEN_STATUSES, TERMINAL, ActionStatus, Role
from inspect_app.estates.models import Room, RoomFixture, Site, Ward
from inspect_app.estates.scope import visible_ward_ids
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.photos.models import Photo

OPEN_VALUES = tuple(sorted(s.value for s in OPEN_STATUSES))
# Every status but the finished ones: open work plus accepted risks (current, however old).
# Finished actions (closed, or cancelled as recorded in error) are history: the dashboard counts
# those finished since closed_since(today) (12 months and this one), from the maintained counts.
FINISHED_VALUES = tuple(sorted(s.value for s in TERMINAL))
LIVE_VALUES = tuple(sorted({s.value for s in ActionStatus} - set(FINISHED_VALUES)))
CLOSED_PERIOD_MONTHS = 12  # closed counts: since the first of the month this many months ago
LIST_COUNT_CAP = 1000  # a list counts this many matches at most, then says "more than"


def status_in(values, column=Action.status) -> Any:
    """``action.status IN ('a', 'b', ...)`` with the values written out: the same spelling as the
    partial index ``ix_action_open_order`` (models.OPEN_SQL), which a planner needs to use it."""
    return column.in_([literal_column(f"'{v}'") for v in values])


IS_OPEN = status_in(OPEN_VALUES)
AGES = (30, 60, 90)
NEEDS = {"interim-missing": "interim control missing past its deadline",
         "interim-expired": "interim control past its review date",
         "review-due": "accepted risk due for review",
         "approval": "risk acceptance awaiting approval",
         "failed-check": "failed product check awaiting repair"}
# List order: most severe first (Action.severity, 0 for Extreme), then earliest due, then id.
ORDER = (Action.severity, Action.target_date, Action.id)
Key = tuple[int, date, int]  # a list position: the last row's (severity, target date, id)


@dataclass(frozen=True)
class Filters:
    """What a list, dashboard or export is narrowed to (from the query string)."""

    site_id: int | None = None
    ward_id: int | None = None
    band: str | None = None
    status: str = "open"  # "open", "all", or one ActionStatus value
    likelihood: int | None = None
    consequence: int | None = None
    overdue: bool = False
    need: str | None = None  # "interim-missing" or "review-due": the home pages' attention counts
    older_than: int | None = None  # open longer than 30, 60 or 90 days

    @classmethod
    def from_args(cls, args) -> Filters:
        def number(name, top=None):
            value = args.get(name, type=int)
            return value if value is not None and value > 0 and (top is None or value <= top) else None

        band = args.get("band") if args.get("band") in {b.value for b in Band} else None
        status = args.get("status", "open")
        if status not in {"open", "all"} | {s.value for s in ActionStatus}:
            status = "open"
        need = args.get("need") if args.get("need") in NEEDS else None
        older = args.get("older_than", type=int)
        return cls(number("site"), number("ward"), band, status, number("likelihood", 5),
                   number("consequence", 5), args.get("overdue") == "1", need, older if older in AGES else None)

    def notes(self) -> list[str]:
        """The narrowing the filter form does not show (it arrives from links), in words."""
        out = []
        if self.overdue:
            out.append("overdue")
        cell = [f"{name} {value}" for name, value in (("likelihood", self.likelihood),
                                                          ("consequence", self.consequence)) if value]
        if cell:
            out.append(" and ".join(cell))
        if self.need:
            out.append(NEEDS[self.need])
        if self.older_than:
            out.append(f"open more than {self.older_than} days")
        return out

    def args(self, **changes) -> dict:
        """Query-string arguments for these filters (with ``changes``), dropping empty ones."""
        values = {"site": self.site_id, "ward": self.ward_id, "band": self.band, "status": self.status,
                  "likelihood": self.likelihood, "consequence": self.consequence,
                  "overdue": "1" if self.overdue else None, "need": self.need,
                  "older_than": self.older_than} | changes
        return {k: v for k, v in values.items() if v not in (None, "", False)}

    def query(self, **changes) -> str:
        """``?...`` for :meth:`args` (links in loops: a page's 25 heat-map cells need no url_for each)."""
        args = self.args(**changes)
        return "?" + urlencode(args) if args else ""


# A filter as a (name, value) term. The names alone are a statement's shape (which conditions it
# has) and its bound parameters' names; with the values they are its parameters. So the statements
# pages run on every view are built once per shape, and a value can never be left over from
# another request: every parameter comes from this request's terms.
Term = tuple[str, Any]
# Ligature points raised by a failed product check (their fixture links to them).
FAILED_CHECK_POINTS = select(RoomFixture.finding_id).where(RoomFixture.finding_id.is_not(None)).scalar_subquery()

# name -> condition(value, ward column, band column, (likelihood column, consequence column))
_CONDITIONS: dict[str, Callable[..., Any]] = {
    "ward_ids": lambda v, ward, band, grade: ward.in_(v),
    "site_id": lambda v, ward, band, grade: Ward.site_id == v,
    "ward_id": lambda v, ward, band, grade: ward == v,
    "band": lambda v, ward, band, grade: band == v,
    "likelihood": lambda v, ward, band, grade: grade[0] == v,
    "consequence": lambda v, ward, band, grade: grade[1] == v,
    "open": lambda v, ward, band, grade: IS_OPEN,
    "status": lambda v, ward, band, grade: Action.status == v,
    "overdue_on": lambda v, ward, band, grade: and_(IS_OPEN, Action.target_date < v),
    # the same conditions as attention() counts
    "interim_missing_at": lambda v, ward, band, grade: and_(IS_OPEN, Action.interim_by < v,
                                                            Action.interim_in_place_at.is_(None)),
    # an accepted risk comes back when its review falls due (on the day, not the day after)
    "review_due_on": lambda v, ward, band, grade: and_(Action.status == ActionStatus.RISK_ACCEPTED.value,
                                                       Action.accepted_review_date <= v),
    "interim_expired_on": lambda v, ward, band, grade: and_(IS_OPEN, Action.interim_in_place_at.is_not(None),
                                                            Action.interim_review_date < v),
    "awaiting_approval": lambda v, ward, band, grade: and_(Action.proposed_by_id.is_not(None),
                                                           Action.status != ActionStatus.RISK_ACCEPTED.value),
    "failed_check": lambda v, ward, band, grade: and_(IS_OPEN, Action.finding_id.in_(FAILED_CHECK_POINTS)),
    "created_before": lambda v, ward, band, grade: and_(IS_OPEN, Action.created_at < v),
}
ACTION_GRADE = (Action.likelihood, Action.consequence)


def narrow_terms(user, filters: Filters) -> list[Term]:
    """Visibility plus the site, ward, band and grade-cell filters (shared by actions and points)."""
    ids = visible_ward_ids(user)
    terms: list[Term] = [] if ids is None else [("ward_ids", sorted(ids) or [0])]
    return terms + [(name, value) for name, value in (
        ("site_id", filters.site_id), ("ward_id", filters.ward_id), ("band", filters.band),
        ("likelihood", filters.likelihood), ("consequence", filters.consequence)) if value]


def _scope_terms(user, filters: Filters, *, today: date) -> list[Term]:
    """What the user may see and every filter, for an Action query (joined as :func:`_base` joins)."""
    terms = narrow_terms(user, filters)
    if filters.status == "open":
        terms.append(("open", None))
    elif filters.status != "all":
        terms.append(("status", filters.status))
    if filters.overdue:
        terms.append(("overdue_on", today))
    if filters.need or filters.older_than:
        now = utcnow()
        if filters.need == "interim-missing":
            terms.append(("interim_missing_at", now))
        elif filters.need == "review-due":
            terms.append(("review_due_on", today))
        elif filters.need == "interim-expired":
            terms.append(("interim_expired_on", today))
        elif filters.need == "approval":
            terms.append(("awaiting_approval", None))
        elif filters.need == "failed-check":
            terms.append(("failed_check", None))
        if filters.older_than:
            terms.append(("created_before", now - timedelta(days=filters.older_than)))
    return terms


def _conditions(terms: Iterable[Term], *, bound: bool = False, ward_col=Action.ward_id, band_col=Action.band,
                grade_cols=ACTION_GRADE) -> list:
    """The terms' conditions: with their values, or (``bound``) with parameters named after them."""
    return [_CONDITIONS[name](bindparam(name, expanding=name == "ward_ids") if bound else value, ward_col, band_col,
                              grade_cols)
            for name, value in terms]


def term_names(terms: list[Term]) -> tuple[str, ...]:
    return tuple(name for name, _ in terms)


def bound_conditions(names: Iterable[str], **columns) -> list:
    """The conditions of terms with these names, with parameters named after them (for the
    statements built once per shape)."""
    return _conditions([(name, None) for name in names], bound=True, **columns)


def _scope(query: Select, user, filters: Filters, *, today: date) -> Select:
    """Restrict an Action query (joined to Ward and Finding) to what the user may see and the filters."""
    return query.where(*_conditions(_scope_terms(user, filters, today=today)))


def _base(columns=None, names: Iterable[str] | None = None) -> Select:
    """Actions (or ``columns``) joined to their ward and ligature point.

    With the term ``names``, only the joins a term needs are made (a site needs the ward; the
    grade cell is the action's own copy): counts and page keys then read the action table alone.
    """
    names = None if names is None else set(names)
    query = select(*(columns or [Action])).select_from(Action)
    if names is None or "site_id" in names:
        query = query.join(Ward, Action.ward_id == Ward.id)
    if names is None:
        query = query.join(Finding, Action.finding_id == Finding.id)
    return query


# An action list row (ActionRow's fields, in order).
ROW_COLUMNS = (Action.id, Action.status, Action.band, Action.target_date, Action.interim_by, Action.interim_control,
               Action.interim_in_place_at, Action.ward_acknowledged_at, Action.interim_review_date,
               Action.accepted_review_date, Action.owner_team, User.name,
               Finding.category, Finding.description, Ward.name, Site.name)


def action_list(user, filters: Filters, *, today: date, after: Key | None = None,
                per_page: int = 50) -> tuple[list[ActionRow], Key | None]:
    """One page of actions, most severe band first, then most overdue, starting after ``after``;
    returns (rows, the key of the next page or None at the end).

    Keyset paging: the page is read in list order from the open actions' index from its key on,
    so page 100 costs what page 1 does and nothing is counted or sorted beyond the page. One
    statement: an inner query picks the page's actions from the action table (joined only where a
    filter needs it); the outer one adds what a row shows.
    """
    terms = _scope_terms(user, filters, today=today)
    params = dict(terms)
    if after is not None:
        params |= {"after_severity": after[0], "after_due": after[1], "after_id": after[2]}
    rows = db.session.execute(_page_statement(term_names(terms), after is not None, per_page + 1), params).all()
    width = len(ROW_COLUMNS)
    more = len(rows) > per_page
    rows = rows[:per_page]
    return [ActionRow(*row[:width]) for row in rows], (tuple(rows[-1][width:]) if more else None)


def action_count(user, filters: Filters, *, today: date, cap: int | None = None) -> int:
    """How many actions match, counting at most ``cap + 1`` (``LIST_COUNT_CAP`` by default; a list
    then says "more than ``cap``"): cheap however many match."""
    cap = LIST_COUNT_CAP if cap is None else cap
    terms = _scope_terms(user, filters, today=today)
    return db.session.execute(_count_statement(term_names(terms)), dict(terms) | {"cap": cap + 1}).scalar_one()


@functools.lru_cache(maxsize=256)
def _count_statement(names: tuple[str, ...]) -> Select:
    """:func:`action_count`'s statement for terms with these names, built once per process."""
    some = _base([Action.id], names).where(*bound_conditions(names)).limit(bindparam("cap")).subquery()
    return select(func.count()).select_from(some)


def parse_key(text: str | None) -> Key | None:
    """A list position from a page link (``severity.YYYY-MM-DD.id``); None when absent or malformed."""
    try:
        severity, due, ident = (text or "").split(".")
        return int(severity), date.fromisoformat(due), int(ident)
    except ValueError:
        return None


def format_key(key: Key) -> str:
    return f"{key[0]}.{key[1].isoformat()}.{key[2]}"


@functools.lru_cache(maxsize=256)
def _page_statement(names: tuple[str, ...], after: bool, limit: int) -> Select:
    """:func:`action_list`'s statement for terms with these names, built once per process.

    The LIMIT is written into the SQL, not bound: PostgreSQL plans a prepared statement once
    (a generic plan) only when that plan looks no dearer than planning afresh with the values, and
    with an unknown LIMIT it always looked dearer, so the six-table join was planned on every view
    (1.6 ms of planning for 0.3 ms of work)."""
    page_ids = (_base([c.label(n) for c, n in zip(ORDER, ("severity", "due", "id"), strict=False)], names)
                .where(*bound_conditions(names)))
    if after:
        page_ids = page_ids.where(tuple_(*ORDER) > tuple_(bindparam("after_severity"), bindparam("after_due"),
                                                          bindparam("after_id")))
    page_ids = page_ids.order_by(*ORDER).limit(literal_column(str(int(limit)))).subquery()
    return (select(*ROW_COLUMNS, page_ids.c.severity, page_ids.c.due, page_ids.c.id)
            .select_from(page_ids).join(Action, Action.id == page_ids.c.id)
            .join(Ward, Action.ward_id == Ward.id).join(Site, Ward.site_id == Site.id)
            .join(Finding, Action.finding_id == Finding.id).outerjoin(User, User.id == Action.owner_id)
            .order_by(page_ids.c.severity, page_ids.c.due, page_ids.c.id))


def export_rows(user, filters: Filters, *, today: date):
    """Every action matching the filters, eager-loaded for a CSV export."""
    query = (_scope(_base(), user, filters, today=today).join(Site, Ward.site_id == Site.id)
             .options(contains_eager(Action.ward).contains_eager(Ward.site),
                      contains_eager(Action.finding).joinedload(Finding.room),
                      contains_eager(Action.finding).selectinload(Finding.grades), joinedload(Action.owner))
             .order_by(*ORDER))
    return db.session.scalars(query).unique()


def finding_export_rows(user, filters: Filters, *, today: date):
    """Ligature points (not removed-in-error ones) with their action if any, for a CSV export.

    "open" means the point is still present; a named status matches the point's action status.
    """
    query = (select(Finding, Action).join(Ward, Finding.ward_id == Ward.id).join(Site, Ward.site_id == Site.id)
             .join(Room, Finding.room_id == Room.id).outerjoin(Action, Action.finding_id == Finding.id)
             .options(contains_eager(Finding.ward).contains_eager(Ward.site), contains_eager(Finding.room))
             .where(Finding.state != "removed"))
    query = query.where(*_conditions(narrow_terms(user, filters), ward_col=Finding.ward_id, band_col=Finding.band,
                                     grade_cols=(Finding.likelihood, Finding.consequence)))
    if filters.status == "open":
        query = query.where(Finding.state == "present")
    elif filters.status != "all":
        query = query.where(Action.status == filters.status)
    if filters.overdue:
        query = query.where(Action.status.in_(OPEN_VALUES), Action.target_date < today)
    return db.session.execute(query.order_by(Site.name, Ward.name, Room.position, Finding.id)).unique()


def assignable_people() -> list[tuple[int, str]]:
    """(id, name) of the active inspectors and safety leads an action may be assigned to, by name."""
    rows = db.session.execute(select(User.id, User.name).where(
        User.active.is_(True), User.role.in_([Role.INSPECTOR.value, Role.SAFETY_LEAD.value])).order_by(User.name))
    return [(uid, name) for uid, name in rows]


def action_events(action_id: int) -> list[ActionEvent]:
    """An action's history, oldest first."""
    return list(db.session.scalars(select(ActionEvent).where(ActionEvent.action_id == action_id)
                                   .order_by(ActionEvent.at, ActionEvent.id)))


def event_photos(event_ids: list[int]) -> dict[int, list[Photo]]:
    """The photos (not removed) attached to these action events, by event id, oldest first."""
    photos: dict[int, list[Photo]] = {}
    for photo in db.session.scalars(select(Photo).where(Photo.action_event_id.in_(event_ids or [0]),
                                                        Photo.removed_at.is_(None)).order_by(Photo.id)):
        photos.setdefault(photo.action_event_id, []).append(photo)
    return photos


def photo_or_none(photo_id: int) -> Photo | None:
    """The photo with this id, or None."""
    return db.session.get(Photo, photo_id)


def open_ward_actions(ward_id: int) -> list[Action]:
    """The ward's open actions (any order)."""
    return list(db.session.scalars(select(Action).where(Action.ward_id == ward_id, Action.status.in_(OPEN_VALUES))))


def filter_choices(user) -> dict:
    """Sites and wards the user may filter by, plus bands and statuses (one statement)."""
    ids = visible_ward_ids(user)
    return choices_from(db.session.execute(_wards_statement(ids is not None), {"ids": sorted(ids or [0])}).all())


def choices_from(rows) -> dict:
    """:func:`filter_choices` from rows of (ward id, ward name, site id, site name), by site and ward name."""
    sites = sorted({(site_id, site_name) for _, _, site_id, site_name, *_ in rows}, key=lambda s: s[1])
    return {"sites": sites, "wards": [(wid, f"{wname} ({sname})") for wid, wname, _, sname, *_ in rows],
            "ward_names": [(wid, wname) for wid, wname, *_ in sorted(rows, key=lambda r: r[1])],
            "bands": [(b.value, b.label) for b in reversed(Band)],
            "statuses": [("open", "All open"), ("all", "Any status")] + [(s.value, s.label) for s in ActionStatus
                                                                           # "open" already means all open
                                                                           if s is not ActionStatus.OPEN]}


@functools.cache
def _wards_statement(some: bool) -> Select:
    """:func:`filter_choices`' statement (every ward, or those with ids ``ids``), built once per process."""
    wards = select(Ward.id, Ward.name, Site.id, Site.name).join(Site).order_by(Site.name, Ward.name)
    return wards.where(Ward.id.in_(bindparam("ids", expanding=True))) if some else wards
