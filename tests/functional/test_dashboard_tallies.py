"""The dashboard's numbers come from one grouped statement: they must equal a plain count over
every action (closed ones: those closed since the first of the month 12 months ago) for each combination of filters
the page accepts."""
from __future__ import annotations

import itertools
from datetime import timedelta

from flask_login import login_user
from sqlalchemy import select

from inspect_app.actions import counts as dashboard_counts
from inspect_app.actions import queries
from inspect_app.actions.models import Action
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.extensions import db
from tests.fixtures.sql import counting


def _expected(everything, filters: queries.Filters, today, visible: set[int] | None):
    def narrowed(a):
        return ((visible is None or a.ward_id in visible)
                and (filters.site_id is None or a.ward.site_id == filters.site_id)
                and (filters.ward_id is None or a.ward_id == filters.ward_id)
                and (filters.band is None or a.band == filters.band))

    def in_status(a):
        return (filters.status in ("all", a.status)
                or (filters.status == "open" and a.status in queries.OPEN_VALUES))

    def in_cell(a):
        return (filters.likelihood in (None, a.finding.likelihood)
                and filters.consequence in (None, a.finding.consequence))

    def late(a):
        return a.status in queries.OPEN_VALUES and a.target_date < today

    counts, heat, overdue = {}, {}, 0
    since = dashboard_counts.closed_since(today)
    for a in filter(narrowed, everything):
        if a.status in queries.FINISHED_VALUES and a.closed_at.date() < since:
            continue
        if in_cell(a) and (late(a) or not filters.overdue):
            counts[(a.band, a.status)] = counts.get((a.band, a.status), 0) + 1
        if in_status(a) and a.finding.likelihood is not None:
            cell = (a.finding.likelihood, a.finding.consequence)
            heat[cell] = heat.get(cell, 0) + 1
        if late(a) and in_cell(a) and in_status(a):
            overdue += 1
    return counts, heat, overdue


def test_one_statement_tallies_equal_a_plain_count_for_every_filter(app, make_action, demo):
    long_ago = utcnow() - timedelta(days=400)
    make_action(likelihood=4, consequence=5, room="Day room")                       # extreme, current
    make_action(likelihood=4, consequence=5, room="Quiet room", now=long_ago)       # extreme, overdue
    make_action(likelihood=3, consequence=4, room="Bedroom 1", now=long_ago)        # high, overdue
    make_action(ward="Hazel Ward", likelihood=2, consequence=3, room="Day room")     # moderate
    make_action(ward="Rowan Ward", likelihood=3, consequence=3, room="Day room", now=long_ago)
    closed = make_action(ward="Hazel Ward", likelihood=3, consequence=4, room="Day room", now=long_ago)
    closed.status, closed.closed_at = "closed", utcnow()  # counts in "all" but never as overdue or open
    # closed over a year ago: history, counted nowhere on the dashboard
    old = make_action(ward="Rowan Ward", likelihood=4, consequence=5, room="Quiet room", now=long_ago)
    old.status, old.closed_at = "closed", long_ago
    # recorded in error and cancelled this year: shown in its own column, like a closed action
    cancelled = make_action(ward="Hazel Ward", likelihood=2, consequence=4, room="Bedroom 1")
    cancelled.status, cancelled.closed_at = "cancelled", utcnow()
    # no recount: the flush below moves the maintained counts as the statuses change
    db.session.commit()
    today = utcnow().date()
    everything = list(db.session.scalars(select(Action)))
    sites = sorted({a.ward.site_id for a in everything})
    wards = sorted({a.ward_id for a in everything})
    grid = itertools.product([None, sites[0]], [None, wards[0]], [None, "extreme", "high"],
                             ["open", "all", "closed"], [None, 4], [None, 5], [False, True])
    for email in ("safety@demo.nhs.test", "manager@demo.nhs.test"):
        user = db.session.scalar(select(User).where(User.email == email))
        with app.test_request_context():
            login_user(user)
            visible = queries.visible_ward_ids(user)
            checked = 0
            for site, ward, band, status, likelihood, consequence, overdue in grid if email.startswith("s") else \
                    itertools.product([None], [None], [None], ["open", "all"], [None, 4], [None], [False, True]):
                filters = queries.Filters(site, ward, band, status, likelihood, consequence, overdue)
                got = dashboard_counts.dashboard_tallies(user, filters, today=today)
                counts, heat, late = _expected(everything, filters, today, visible)
                assert (got.counts, got.heat, got.overdue) == (counts, heat, late), filters
                checked += 1
            assert checked >= 8
    # the overdue list agrees with the figure that heads it
    user = db.session.scalar(select(User).where(User.email == "safety@demo.nhs.test"))
    with app.test_request_context():
        login_user(user)
        listed, _ = queries.action_list(user, queries.Filters(overdue=True), today=today)
        total = queries.action_count(user, queries.Filters(overdue=True), today=today)
        assert total == dashboard_counts.dashboard_tallies(user, queries.Filters(), today=today).overdue == len(listed) == 3


def _tallies_now(user, today):
    got = dashboard_counts.dashboard_tallies(user, queries.Filters(), today=today)
    return got.counts, got.heat, got.overdue


def test_counts_kept_between_views_move_with_every_change_and_with_the_date(app, make_action, demo):
    """The process keeps the counts' rows until their marker moves: a new Extreme action, a closure,
    a date change and a rolled-back change each give the plain count, never an earlier figure."""
    long_ago = utcnow() - timedelta(days=40)
    make_action(likelihood=3, consequence=4, room="Bedroom 1", now=long_ago)  # high, overdue
    today = utcnow().date()
    user = db.session.scalar(select(User).where(User.email == "safety@demo.nhs.test"))

    def plain(day):
        return _expected(list(db.session.scalars(select(Action))), queries.Filters(), day, None)

    with app.test_request_context():
        login_user(user)
        expected = plain(today)
        assert _tallies_now(user, today) == expected
        with counting() as statements:
            again = _tallies_now(user, today)
        assert again == expected and len(statements) == 1  # kept: only the marker is read
        before_attention = dashboard_counts.attention(user, now=utcnow())["overdue_total"]

        extreme = make_action(likelihood=5, consequence=5, room="Day room", now=long_ago)  # a new overdue Extreme
        assert _tallies_now(user, today) == plain(today)
        assert _tallies_now(user, today)[2] == 2
        assert dashboard_counts.attention(user, now=utcnow())["overdue_total"] == before_attention + 1

        extreme.status, extreme.closed_at = "closed", utcnow()
        db.session.commit()
        assert _tallies_now(user, today) == plain(today)

        # a change read inside its own transaction, then rolled back: the next view shows the committed counts
        moved = db.session.scalar(select(Action).where(Action.status == "open"))
        moved.status = "work_ordered"
        db.session.flush()
        assert _tallies_now(user, today) == plain(today)
        db.session.rollback()
        assert _tallies_now(user, today) == plain(today)

        # tomorrow, and a month on: lateness follows the date, not what was kept
        for later in (today + timedelta(days=1), today + timedelta(days=40)):
            assert _tallies_now(user, later) == plain(later)


def _due(auth) -> str:
    """The dashboard's "Wards due for re-assessment" section, as the safety lead sees it."""
    page = auth.client.get("/dashboard/").get_data(as_text=True)
    return page[page.index('id="stale-h"'):].split("</section>")[0]


def test_the_kept_ward_list_follows_every_change_that_moves_a_ward_on_or_off_it(demo, people, auth):
    """The dashboard keeps its ward rows in the process until the marker moves: a sign-off, a new
    checklist version, a renamed or switched-off ward must each show on the next view."""
    from inspect_app.checklists.models import ChecklistTemplate
    from inspect_app.estates.models import Ward
    from inspect_app.inspections import services as inspections

    auth.login("safety@demo.nhs.test")
    assert "Larch Ward" in _due(auth) and "Hazel Ward" in _due(auth)  # read twice: the second view is kept
    larch = db.session.get(Ward, demo["wards"]["Larch Ward"])
    inspection = inspections.start_inspection(ward=larch, inspection_type="annual", team=["Sam"],
                                              by=people["inspector"], now=utcnow())
    db.session.commit()
    assert "Larch Ward" in _due(auth)  # started, not signed off
    inspection.status, inspection.signed_off_at = "signed_off", utcnow()  # as sign-off leaves it
    db.session.commit()
    assert "Larch Ward" not in _due(auth)  # assessed today on the current checklist
    current = db.session.get(ChecklistTemplate, inspection.template_id)
    db.session.add(ChecklistTemplate(name=current.name, version="next", status="published", published_at=utcnow()))
    db.session.commit()
    due = _due(auth)
    assert "Larch Ward" in due and "Used an older checklist version" in due
    hazel = db.session.get(Ward, demo["wards"]["Hazel Ward"])
    hazel.name = "Hazel <Renamed>"
    db.session.commit()
    assert "Hazel &lt;Renamed&gt;" in _due(auth)
    hazel.active = False
    db.session.commit()
    assert "Hazel" not in _due(auth)  # switched off: not due; still a choice in the filter
    assert "Hazel &lt;Renamed&gt; (" in auth.client.get("/dashboard/").get_data(as_text=True)
