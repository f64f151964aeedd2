"""The action list's statement is built once per shape (which filters are set) and reused with
this request's values: the rows must equal a plain filter over every action, for users who see
different wards taking turns, so no value (above all, a user's wards) carries over."""
from __future__ import annotations

import itertools
from datetime import timedelta

from flask_login import login_user
from sqlalchemy import select

from inspect_app.actions import queries
from inspect_app.actions.models import Action
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.estates.models import Ward
from inspect_app.extensions import db


def _expected(everything, filters: queries.Filters, today, visible: set[int] | None) -> list[int]:
    def keep(a):
        return ((visible is None or a.ward_id in visible)
                and filters.site_id in (None, a.ward.site_id) and filters.ward_id in (None, a.ward_id)
                and filters.band in (None, a.band) and filters.likelihood in (None, a.finding.likelihood)
                and (filters.status in ("all", a.status)
                     or (filters.status == "open" and a.status in queries.OPEN_VALUES))
                and (not filters.overdue or (a.status in queries.OPEN_VALUES and a.target_date < today)))

    rank = {"extreme": 3, "high": 2, "moderate": 1, "low": 0}
    return [a.id for a in sorted(filter(keep, everything), key=lambda a: (-rank[a.band], a.target_date, a.id))]


def test_list_reused_across_users_and_filters_equals_a_plain_filter(app, make_action, demo):
    long_ago = utcnow() - timedelta(days=400)
    make_action(likelihood=4, consequence=5, room="Day room")
    make_action(likelihood=3, consequence=4, room="Bedroom 1", now=long_ago)
    make_action(ward="Hazel Ward", likelihood=2, consequence=3, room="Day room")
    make_action(ward="Rowan Ward", likelihood=4, consequence=5, room="Day room", now=long_ago)
    closed = make_action(ward="Hazel Ward", likelihood=3, consequence=4, room="Day room", now=long_ago)
    closed.status, closed.closed_at = "closed", utcnow()
    db.session.commit()
    today = utcnow().date()
    everything = list(db.session.scalars(select(Action)))
    sites = sorted({a.ward.site_id for a in everything})
    wards = sorted({a.ward_id for a in everything})
    # a second ward manager, of another ward: the same statement shapes as the first, other values
    other = User(email="manager2@demo.nhs.test", name="Second Manager", role="ward_manager", password_hash="-")
    other.managed_wards = [db.session.get(Ward, demo["wards"]["Rowan Ward"])]
    db.session.add(other)
    db.session.commit()
    users = [db.session.scalar(select(User).where(User.email == email))
             for email in ("safety@demo.nhs.test", "manager@demo.nhs.test", "manager2@demo.nhs.test")]
    before = queries._page_statement.cache_info()
    grid = itertools.product([None, sites[0]], [None, wards[0], wards[-1]], [None, "extreme"],
                             ["open", "all", "closed"], [None, 3], [False, True])
    checked = 0
    for site, ward, band, status, likelihood, overdue in grid:
        filters = queries.Filters(site, ward, band, status, likelihood, None, overdue)
        for user in users:  # the users take turns on each shape
            with app.test_request_context():
                login_user(user)
                rows, more = queries.action_list(user, filters, today=today)
                total = queries.action_count(user, filters, today=today)
                want = _expected(everything, filters, today, queries.visible_ward_ids(user))
            assert [row.id for row in rows] == want, (user.email, filters)
            assert total == len(want) and more is None
            checked += 1
    after = queries._page_statement.cache_info()
    assert checked == 432
    # the managers share every shape (and each ward value repeats one): most statements were reused
    assert after.hits - before.hits >= 432 - 192


def test_a_manager_sees_only_their_wards_after_a_safety_lead_used_the_same_statement(app, make_action, demo):
    make_action(ward="Larch Ward")
    make_action(ward="Rowan Ward")
    db.session.commit()
    today = utcnow().date()
    lead = db.session.scalar(select(User).where(User.email == "safety@demo.nhs.test"))
    manager = db.session.scalar(select(User).where(User.email == "manager@demo.nhs.test"))
    with app.test_request_context():
        login_user(lead)
        everyone, _ = queries.action_list(lead, queries.Filters(), today=today)
    with app.test_request_context():
        login_user(manager)
        own = queries.visible_ward_ids(manager)
        theirs, _ = queries.action_list(manager, queries.Filters(), today=today)
    assert {row.ward_name for row in everyone} >= {"Larch Ward", "Rowan Ward"}
    assert theirs and len(theirs) < len(everyone)
    managed = {a.id for a in db.session.scalars(select(Action).where(Action.ward_id.in_(own)))}
    assert {row.id for row in theirs} == managed
