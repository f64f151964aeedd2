"""Read-only traceability: which items implement an alert, which alerts a template covers,
which wards are in an alert's scope and where each stands, and which product checks are due."""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from inspect_app.actions.models import Action
from inspect_app.alerts.models import Alert, FixtureCheck, ItemAlertCitation
from inspect_app.checklists.models import ChecklistItem, ChecklistTemplate
from inspect_app.clock import utcnow
from inspect_app.domain import assurance
from inspect_app.domain.alerts import CheckResult, CheckState, WardAlertState, check_state, next_check_due, ward_state
from inspect_app.estates.models import AreaType, Room, RoomFixture, Site, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Inspection
from inspect_app.presence import register

# No active fixture with recurring checks (many trusts register none): ward cards need no count query.
register("fixtures", lambda: select(RoomFixture.id).where(RoomFixture.active.is_(True)))


@dataclass(frozen=True)
class CitedItem:
    item: ChecklistItem
    section: str | None


def items_implementing(alert: Alert) -> list[tuple[ChecklistTemplate, list[CitedItem]]]:
    """The items citing ``alert``, grouped by template version, newest version first."""
    rows = db.session.execute(
        select(ChecklistItem, ItemAlertCitation.section).join(ItemAlertCitation)
        .where(ItemAlertCitation.alert_id == alert.id)
        .options(selectinload(ChecklistItem.template), selectinload(ChecklistItem.area_type))).all()
    groups: dict[int, list[CitedItem]] = defaultdict(list)
    templates: dict[int, ChecklistTemplate] = {}
    for item, section in rows:
        templates[item.template_id] = item.template
        groups[item.template_id].append(CitedItem(item, section))
    order = sorted(templates.values(), key=lambda t: (t.created_at, t.id), reverse=True)
    return [(t, sorted(groups[t.id], key=lambda c: (c.item.area_type.name, c.item.order))) for t in order]


def alerts_covered(template: ChecklistTemplate) -> list[tuple[Alert, list[CitedItem]]]:
    """The alerts ``template`` cites, each with the items that cite it (in checklist order)."""
    rows = db.session.execute(
        select(Alert, ChecklistItem, ItemAlertCitation.section)
        .join(ItemAlertCitation, ItemAlertCitation.alert_id == Alert.id)
        .join(ChecklistItem, ChecklistItem.id == ItemAlertCitation.item_id).join(AreaType)
        .where(ChecklistItem.template_id == template.id)
        .order_by(Alert.issued_on, Alert.id, AreaType.name, ChecklistItem.order)).all()
    out: dict[int, tuple[Alert, list[CitedItem]]] = {}
    for alert, item, section in rows:
        out.setdefault(alert.id, (alert, []))[1].append(CitedItem(item, section))
    return list(out.values())


def get_alert(alert_id: int) -> Alert | None:
    """The alert with this id, or None."""
    return db.session.get(Alert, alert_id)


def alerts_newest_first() -> list[Alert]:
    """Every alert, most recently issued first (undated last)."""
    return list(db.session.scalars(select(Alert).order_by(Alert.issued_on.desc().nulls_last(), Alert.id)))


def alerts_by_deadline() -> list[Alert]:
    """Every alert, earliest action-complete deadline first (none last), then most recently issued."""
    return list(db.session.scalars(select(Alert).order_by(Alert.action_complete_by.asc().nulls_last(),
                                                          Alert.issued_on.desc().nulls_last(), Alert.id)))


def area_type_names() -> dict[str, str]:
    """``{area type code: name}`` for naming an alert's area types."""
    return dict(db.session.execute(select(AreaType.code, AreaType.name)).all())


def wards_by_site(ward_ids: set[int] | None = None, *, active_only: bool = True) -> list[Ward]:
    """Wards (active ones unless ``active_only`` is False) by site and name; ``ward_ids`` limits them."""
    query = select(Ward).join(Site).order_by(Site.name, Ward.name)
    if active_only:
        query = query.where(Ward.active.is_(True))
    if ward_ids is not None:
        query = query.where(Ward.id.in_(ward_ids or [0]))
    return list(db.session.scalars(query))


def get_fixture(fixture_id: int) -> RoomFixture | None:
    """The registered fixture with this id, or None."""
    return db.session.get(RoomFixture, fixture_id)


def citation_sections(alert_id: int, template_id: int) -> dict[int, str | None]:
    """``{item id: cited section}`` for the items of one version that cite the alert."""
    return dict(db.session.execute(
        select(ItemAlertCitation.item_id, ItemAlertCitation.section).join(ChecklistItem)
        .where(ChecklistItem.template_id == template_id, ItemAlertCitation.alert_id == alert_id)).all())


def citation(item_id: int, alert_id: int) -> ItemAlertCitation | None:
    """The item's citation of the alert, or None when it does not cite it."""
    return db.session.scalar(select(ItemAlertCitation).where(
        ItemAlertCitation.item_id == item_id, ItemAlertCitation.alert_id == alert_id))


def cited_item_ids(alert_id: int) -> set[int]:
    return set(db.session.scalars(select(ItemAlertCitation.item_id).where(ItemAlertCitation.alert_id == alert_id)))


def covering_template_ids(alert_id: int) -> set[int]:
    """Versions with at least one item citing the alert."""
    return set(db.session.scalars(select(ChecklistItem.template_id).join(ItemAlertCitation)
                                  .where(ItemAlertCitation.alert_id == alert_id)))


def wards_in_scope(alert: Alert, ward_ids: set[int] | None = None) -> list[Ward]:
    """Active wards of the alert's patient groups with an active room of its area types (empty = all)."""
    query = (select(Ward).join(Site).where(Ward.active.is_(True)).order_by(Site.name, Ward.name)
             .options(selectinload(Ward.site)))
    if alert.patient_groups:
        query = query.where(Ward.patient_group.in_(alert.patient_groups))
    if alert.area_type_codes:
        query = query.where(Ward.id.in_(select(Room.ward_id).join(AreaType).where(
            Room.active.is_(True), AreaType.code.in_(alert.area_type_codes))))
    if ward_ids is not None:
        query = query.where(Ward.id.in_(ward_ids or [0]))
    return list(db.session.scalars(query))


@dataclass
class WardRow:
    """One ward against one alert: its state, the inspection that assessed it, and the points found."""

    ward: Ward
    state: WardAlertState
    inspection: Inspection | None
    points: list[Finding] = field(default_factory=list)
    actions: dict[int, Action] = field(default_factory=dict)  # finding id -> action
    # The alert's registered products in this ward whose latest check failed, or whose check is overdue.
    failed_checks: list[FixtureRow] = field(default_factory=list)
    overdue_checks: list[FixtureRow] = field(default_factory=list)
    today: date | None = None

    @property
    def open_actions(self) -> int:
        return sum(action.is_open for action in self.actions.values())

    @property
    def accepted(self) -> list[Action]:
        return [a for a in self.actions.values() if a.status == "risk_accepted"]

    @property
    def interim_past_review(self) -> list[Action]:
        today = self.today or utcnow().date()
        return [a for a in self.actions.values()
                if assurance.interim_past_review(a.interim_review_date, status_open=a.is_open, today=today)]

    @property
    def overdue_actions(self) -> list[Action]:
        today = self.today or utcnow().date()
        return [a for a in self.actions.values() if a.is_overdue(today)]

    @property
    def caveats(self) -> list[str]:
        """What stops this ward being called clear, in words ("1 risk-accepted point(s)")."""
        C = assurance.Caveat
        return assurance.caveats({C.OPEN_ACTIONS: self.open_actions, C.OVERDUE_ACTIONS: len(self.overdue_actions),
                                  C.ACCEPTED_RISKS: len(self.accepted), C.FAILED_CHECKS: len(self.failed_checks),
                                  C.OVERDUE_CHECKS: len(self.overdue_checks),
                                  C.INTERIM_PAST_REVIEW: len(self.interim_past_review)})


def _latest_assessments(alert: Alert, ids: list[int]) -> dict[int, Inspection]:
    """Each ward's latest signed-off assessment with a checklist version covering the alert."""
    templates = covering_template_ids(alert.id)
    if not templates:
        return {}
    latest: dict[int, Inspection] = {}
    for inspection in db.session.scalars(
            select(Inspection).where(Inspection.ward_id.in_(ids), Inspection.template_id.in_(templates),
                                     Inspection.signed_off_at.is_not(None),
                                     Inspection.inspection_type.in_([t.value for t in assurance.ASSESSMENT_TYPES]))
            .order_by(Inspection.signed_off_at, Inspection.id)
            .options(selectinload(Inspection.template))):
        latest[inspection.ward_id] = inspection
    return latest


def _alert_points(alert: Alert, ids: list[int]) -> tuple[dict[int, list[Finding]], dict[int, Action]]:
    """The points recorded against the alert's items, by ward, and their actions by point."""
    items = cited_item_ids(alert.id)
    points: dict[int, list[Finding]] = defaultdict(list)
    # A failed check of a product this alert asks for raised a point too: it is evidence as well.
    checked = select(RoomFixture.finding_id).where(RoomFixture.alert_id == alert.id,
                                                   RoomFixture.finding_id.is_not(None))
    if not items and db.session.scalar(checked.limit(1)) is None:
        return points, {}
    findings = db.session.scalars(
        select(Finding).where(Finding.ward_id.in_(ids), Finding.state != "removed",
                              or_(Finding.item_id.in_(items or [0]), Finding.id.in_(checked)))
        .order_by(Finding.id).options(selectinload(Finding.room), selectinload(Finding.item))).all()
    for finding in findings:
        points[finding.ward_id].append(finding)
    if not findings:
        return points, {}
    return points, {a.finding_id: a for a in db.session.scalars(
        select(Action).where(Action.finding_id.in_([f.id for f in findings])))}


def _alert_fixtures(alert: Alert, ids: list[int], *, today: date):
    """The alert's registered products that failed their last check, and those overdue a check, by ward."""
    failed: dict[int, list[FixtureRow]] = defaultdict(list)
    overdue: dict[int, list[FixtureRow]] = defaultdict(list)
    for fixture_row in fixture_rows(today=today, ward_ids=set(ids)):
        if fixture_row.fixture.alert_id != alert.id:
            continue
        if fixture_row.last is not None and fixture_row.last.result == CheckResult.FAIL:
            failed[fixture_row.fixture.room.ward_id].append(fixture_row)
        elif fixture_row.state == CheckState.OVERDUE:
            overdue[fixture_row.fixture.room.ward_id].append(fixture_row)
    return failed, overdue


def ward_rows(alert: Alert, ward_ids: set[int] | None = None, *, today: date | None = None) -> list[WardRow]:
    """Every ward in scope with its state (``ward_ids`` limits it to the wards a user may see).

    A ward is assessed once a signed-off full annual assessment (never a routine or spot check)
    pinned a version covering the alert; its points are the ligature points (not removed in
    error) recorded against the alert's items. A ward is "all actions closed" only when nothing
    is open, accepted, past review, or failing or overdue on the alert's registered products.
    """
    today = today or utcnow().date()
    wards = wards_in_scope(alert, ward_ids)
    if not wards:
        return []
    ids = [w.id for w in wards]
    latest = _latest_assessments(alert, ids)
    points, actions = _alert_points(alert, ids)
    failed, overdue = _alert_fixtures(alert, ids, today=today)
    rows = []
    for ward in wards:
        ward_points = points.get(ward.id, [])
        ward_actions = {f.id: actions[f.id] for f in ward_points if f.id in actions}
        row = WardRow(ward, WardAlertState.NOT_ASSESSED, latest.get(ward.id), ward_points, ward_actions,
                      failed.get(ward.id, []), overdue.get(ward.id, []), today)
        remaining = (len(row.accepted) + len(row.interim_past_review) + len(row.failed_checks)
                     + len(row.overdue_checks))
        row.state = ward_state(assessed=ward.id in latest, open_actions=row.open_actions, remaining_risks=remaining)
        rows.append(row)
    return rows


def wards_not_assessed(alert: Alert, ward_ids: set[int] | None = None) -> list[Ward]:
    """Wards in scope that no signed-off inspection has assessed with a covering version."""
    return [row.ward for row in ward_rows(alert, ward_ids) if row.state == WardAlertState.NOT_ASSESSED]


@dataclass(frozen=True)
class FixtureRow:
    fixture: RoomFixture
    last: FixtureCheck | None  # the latest check, by when it was made
    next_due: date
    state: CheckState


def fixture_rows(*, today: date, ward_id: int | None = None, room_id: int | None = None,
                 ward_ids: set[int] | None = None) -> list[FixtureRow]:
    """Active fixtures with their latest check, next due date and state, most urgent first.

    One statement, reading only each fixture's latest check: a fixture checked weekly for years
    has hundreds, and ward cards and room pages ask for these on every view.
    """
    query = (select(RoomFixture, FixtureCheck).join(Room, RoomFixture.room_id == Room.id)
             .outerjoin(FixtureCheck, FixtureCheck.id == _latest_check()).where(RoomFixture.active.is_(True))
             .options(contains_eager(RoomFixture.room), joinedload(RoomFixture.alert)))
    if ward_id is not None:
        query = query.where(Room.ward_id == ward_id)
    if room_id is not None:
        query = query.where(RoomFixture.room_id == room_id)
    if ward_ids is not None:
        query = query.where(Room.ward_id.in_(ward_ids or [0]))
    rows = []
    for fixture, last in db.session.execute(query):
        due = next_check_due(since=fixture.registered_on, interval_days=fixture.interval_days,
                             last_checked=last.checked_at.date() if last else None,
                             last_result=last.result if last else None)
        rows.append(FixtureRow(fixture, last, due, check_state(due, today=today)))
    urgency = {CheckState.OVERDUE: 0, CheckState.DUE: 1, CheckState.OK: 2}
    return sorted(rows, key=lambda r: (urgency[r.state], r.next_due, r.fixture.room.position, r.fixture.id))


def _latest_check():
    """The id of a fixture's latest check (by when it was made), correlated to ``RoomFixture``."""
    return (select(FixtureCheck.id).where(FixtureCheck.fixture_id == RoomFixture.id)
            .order_by(FixtureCheck.checked_at.desc(), FixtureCheck.id.desc()).limit(1)
            .correlate(RoomFixture).scalar_subquery())


@functools.cache
def _counts_statement(some_wards: bool) -> Select:
    """:func:`fixture_counts`' statement, built once per process (ward cards ask on every view)."""
    query = (select(Room.ward_id, RoomFixture.registered_on, RoomFixture.interval_days, FixtureCheck.checked_at,
                    FixtureCheck.result).join(Room, RoomFixture.room_id == Room.id)
             .outerjoin(FixtureCheck, FixtureCheck.id == _latest_check()).where(RoomFixture.active.is_(True)))
    return query.where(Room.ward_id.in_(bindparam("ward_ids", expanding=True))) if some_wards else query


def fixture_counts(*, today: date, ward_ids: set[int] | None = None) -> dict[int, dict[CheckState, int]]:
    """``{ward id: {state: count}}`` over active fixtures, for ward cards and the dashboard.

    The same states as :func:`fixture_rows`, from the columns they depend on alone (ward cards
    and the walk-through overview ask on every view).
    """
    rows = (db.session.execute(_counts_statement(True), {"ward_ids": list(ward_ids or [0])}) if ward_ids is not None
            else db.session.execute(_counts_statement(False)))
    counts: dict[int, dict[CheckState, int]] = defaultdict(lambda: {s: 0 for s in CheckState})
    for ward_id, since, interval, checked_at, result in rows:
        due = next_check_due(since=since, interval_days=interval,
                             last_checked=checked_at.date() if checked_at else None, last_result=result)
        counts[ward_id][check_state(due, today=today)] += 1
    return dict(counts)
