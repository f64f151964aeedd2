"""The dashboard's maintained counts (``actions.tallies``: closed, live and due) stay equal to a
full recount through a scripted life of actions: created by grading, re-graded (band and target
date move), target extended, accepted as a risk by proposal and approval, re-opened, closed,
cancelled and withdrawn; and the dashboard reads them."""
from __future__ import annotations

from datetime import timedelta

from flask_login import login_user

from inspect_app.actions import counts, queries, services, tallies, transitions
from inspect_app.actions.models import ClosedTally, DueTally, LiveTally
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import ActionStatus as S
from inspect_app.extensions import db
from inspect_app.findings import withdrawal
from tests.fixtures.remediation import NOT_BEARING


def _same() -> dict:
    db.session.commit()
    stored = tallies.stored()
    assert stored == tallies.recount()
    return stored


def _close(action, people, now):
    action.status = S.VERIFIED.value  # where verification leaves it
    db.session.flush()
    transitions.transition(action, S.CLOSED, by=people["ward_manager"], now=now)


def test_counts_equal_a_full_recount_through_an_actions_life(app, make_action, people):
    now = utcnow()
    months_ago = now - timedelta(days=95)
    a = make_action(likelihood=4, consequence=5, room="Day room")  # Extreme: an action on grading
    b = make_action(likelihood=2, consequence=4, room="Bedroom 1", **NOT_BEARING)  # Moderate, ensure_action
    c = make_action(ward="Hazel Ward", likelihood=4, consequence=5, room="Day room", now=months_ago)
    d = make_action(likelihood=3, consequence=4, room="Quiet room")
    stored = _same()
    assert sum(stored[LiveTally].values()) == sum(stored[DueTally].values()) == 4 and not stored[ClosedTally]

    # re-graded up: band, cell and (brought forward) target date move together
    before = b.target_date
    services.regrade(b, 4, 5, by=people["inspector"], now=now, comment="Rail does not collapse")
    assert b.band == "extreme" and b.target_date < before
    _same()
    b.target_date = now.date() + timedelta(days=40)  # extended (as an import or a future form would)
    _same()

    # a risk accepted by proposal and approval (residual grade moves the cell), then re-opened
    transitions.transition(d, S.RISK_ACCEPTED, by=people["safety_lead"], now=now, fields={
        "rationale": "Continuous observation until refit", "residual_grade": (2, 4),
        "review_date": now.date() + timedelta(days=28)})
    transitions.approve_acceptance(d, by=people["risk_approver"], now=now, comment="Committee minute 4")
    assert d.status == S.RISK_ACCEPTED.value
    stored = _same()
    assert sum(stored[DueTally].values()) == 3  # accepted: not open work, not due
    transitions.transition(d, S.OPEN, by=people["safety_lead"], now=now, fields={"comment": "New patient group"})
    _same()

    # closed (this month, and one three months ago), cancelled by withdrawing its point
    _close(a, people, now)
    _close(c, people, months_ago)
    _same()
    withdrawal.withdraw_finding(d.finding, reason="Recorded on the wrong ward", by=people["inspector"], now=now)
    assert d.status == S.CANCELLED.value
    stored = _same()
    assert sum(stored[ClosedTally].values()) == 3 and sum(stored[LiveTally].values()) == 1

    # a finished action leaving its status (no service does this today) is taken out of its month
    a.status, a.closed_at = S.OPEN.value, None
    _same()

    # the migration's recount (rebuild) gives the same rows
    maintained = tallies.stored()
    tallies.rebuild()
    db.session.commit()
    assert tallies.stored() == maintained

    # the dashboard reads them: by band and status, overdue from the target dates
    b.target_date = now.date() - timedelta(days=1)
    db.session.commit()
    lead = people["safety_lead"]
    with app.test_request_context():
        login_user(lead)
        got = counts.dashboard_tallies(lead, queries.Filters(status="all"), today=now.date())
    assert got.counts == {("extreme", "closed"): 1, ("high", "cancelled"): 1, ("extreme", "open"): 2}
    assert got.overdue == 1 and got.closed_since <= months_ago.date()


def test_attention_counts_equal_the_lists_they_link_to(app, make_action, people):
    """The home pages' attention counts (maintained counts and partial indexes) say what the
    action lists they link to list, for the whole trust and for one manager's wards."""
    now = utcnow() - timedelta(hours=1)  # the lists count up to the time of the request
    old = now - timedelta(days=100)
    make_action(now=old)  # Extreme, no interim control long past its deadline, overdue, 100 days open
    make_action(likelihood=2, consequence=4, room="Bedroom 1", **NOT_BEARING)
    expired = make_action(ward="Hazel Ward", likelihood=3, consequence=4, room="Day room", now=old)
    expired.interim_in_place_at, expired.interim_review_date = old, (now - timedelta(days=1)).date()
    accepted = make_action(likelihood=2, consequence=2, room="Quiet room", description="Accepted", **NOT_BEARING)
    transitions.transition(accepted, S.RISK_ACCEPTED, by=people["safety_lead"], now=now, fields={
        "rationale": "Staff-only after refit", "residual_grade": (1, 2), "review_date": now.date() + timedelta(days=30)})
    accepted.accepted_review_date = now.date()  # due for review today
    proposed = make_action(ward="Hazel Ward", likelihood=4, consequence=5, room="Bedroom 1")
    transitions.transition(proposed, S.RISK_ACCEPTED, by=people["safety_lead"], now=now, fields={
        "rationale": "Continuous observation", "residual_grade": (2, 5), "review_date": now.date() + timedelta(days=28)})
    db.session.commit()
    assert proposed.proposed_by_id is not None
    today = now.date()
    lists = {"interim_missing": queries.Filters(need="interim-missing"),
             "review_due": queries.Filters(status="all", need="review-due"),
             "interim_expired": queries.Filters(need="interim-expired"),
             "awaiting_approval": queries.Filters(status="all", need="approval"),
             "failed_check": queries.Filters(need="failed-check"), "open": queries.Filters(),
             "overdue_total": queries.Filters(overdue=True)}
    for who in ("safety_lead", "ward_manager"):
        user = people[who]
        with app.test_request_context():
            login_user(user)
            got = counts.attention(user, now=utcnow())
            for name, filters in lists.items():
                assert got[name] == queries.action_count(user, filters, today=today), (who, name)
            for days in queries.AGES:
                assert got["ageing"][days] == queries.action_count(
                    user, queries.Filters(older_than=days), today=today), (who, days)
        assert sum(got["overdue"].values()) == got["overdue_total"]
    assert got["open"] == 2 and got["review_due"] == 1 and got["interim_missing"] >= 1
