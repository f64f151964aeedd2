"""The maintained counts of finished actions (``closed_tally``) stay equal to a full recount after
closing, re-opening, cancelling and withdrawing through the services, and the dashboard's closed
figures come from them."""
from __future__ import annotations

from datetime import timedelta

from flask_login import login_user

from inspect_app.actions import closed_tally, queries, services
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import ActionStatus as S
from inspect_app.extensions import db
from inspect_app.findings import services as findings


def _close(action, people, now):
    action.status = S.VERIFIED.value  # where verification leaves it (not finished: the counts are untouched)
    db.session.flush()
    services.transition(action, S.CLOSED, by=people["ward_manager"], now=now)
    db.session.commit()


def test_counts_equal_a_full_recount_after_close_reopen_cancel_and_withdraw(app, make_action, people):
    now = utcnow()
    months_ago = now - timedelta(days=95)
    a = make_action(likelihood=4, consequence=5, room="Day room")
    b = make_action(likelihood=3, consequence=4, room="Bedroom 1")
    c = make_action(ward="Hazel Ward", likelihood=4, consequence=5, room="Day room", now=months_ago)
    d = make_action(likelihood=4, consequence=5, room="Quiet room")
    e = make_action(likelihood=4, consequence=4, room="Bedroom 1")

    _close(a, people, now)
    _close(b, people, now)
    _close(c, people, months_ago)  # counted in its own month
    assert closed_tally.stored() == closed_tally.recount()
    assert sum(closed_tally.stored().values()) == 3

    # an accepted risk re-opened is not finished before or after: nothing moves
    e.status = S.RISK_ACCEPTED.value
    db.session.flush()
    services.transition(e, S.OPEN, by=people["safety_lead"], now=now, fields={"comment": "New patient group"})
    db.session.commit()
    assert e.status == S.OPEN.value and closed_tally.stored() == closed_tally.recount()

    # the point was recorded in error: withdrawing it cancels its action, counted as cancelled
    findings.withdraw_finding(d.finding, reason="Recorded on the wrong ward", by=people["inspector"], now=now)
    db.session.commit()
    assert d.status == S.CANCELLED.value
    assert closed_tally.stored() == closed_tally.recount()

    # a finished action leaving its status (no path does this today) is taken out of its month
    old_status, old_closed_at = b.status, b.closed_at
    b.status, b.closed_at = S.OPEN.value, None
    closed_tally.moved(b, old_status=old_status, old_closed_at=old_closed_at)
    db.session.commit()
    assert closed_tally.stored() == closed_tally.recount()
    assert sum(closed_tally.stored().values()) == 3  # a, c closed; d cancelled

    # the migration's recount (rebuild) gives the same rows
    maintained = closed_tally.stored()
    closed_tally.rebuild()
    db.session.commit()
    assert closed_tally.stored() == maintained

    # the dashboard reads them: closed and cancelled counts by band for the period
    lead = people["safety_lead"]
    with app.test_request_context():
        login_user(lead)
        tallies = queries.dashboard_tallies(lead, queries.Filters(status="all"), today=now.date())
    finished = {key: n for key, n in tallies.counts.items() if key[1] in queries.FINISHED_VALUES}
    assert finished == {("extreme", "closed"): 2, ("extreme", "cancelled"): 1}
    assert tallies.closed_since <= months_ago.date()
