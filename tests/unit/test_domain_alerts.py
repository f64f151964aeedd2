"""Alert deadline arithmetic, ward states and recurring-check due dates (pure, table-driven)."""
from __future__ import annotations

from datetime import date

import pytest

from inspect_app.domain.alerts import (
    CheckState,
    ResponseStatus,
    WardAlertState,
    alert_deadlines,
    check_state,
    deadline,
    next_check_due,
    ward_state,
)

TODAY = date(2025, 3, 14)


@pytest.mark.parametrize("due, met, days_left, overdue, summary", [
    (date(2025, 3, 24), False, 10, False, "10 days left"),
    (date(2025, 3, 15), False, 1, False, "1 day left"),
    (date(2025, 3, 14), False, 0, False, "Due today"),
    (date(2025, 3, 13), False, -1, True, "Overdue by 1 day"),
    (date(2024, 12, 14), False, -90, True, "Overdue by 90 days"),
    (date(2024, 12, 14), True, -90, False, "Met"),
    (None, False, None, False, "No date given"),
])
def test_deadline_counts_days_left_and_is_overdue_only_when_passed_and_unmet(due, met, days_left, overdue, summary):
    d = deadline("Action complete by", due, met=met, today=TODAY)
    assert (d.days_left, d.overdue, d.summary) == (days_left, overdue, summary)


def test_deadline_across_a_leap_day_counts_calendar_days():
    assert deadline("x", date(2024, 3, 1), met=False, today=date(2024, 2, 28)).days_left == 2


@pytest.mark.parametrize("status, underway_met, complete_met", [
    (ResponseStatus.NOT_STARTED, False, False),
    (ResponseStatus.UNDERWAY, True, False),
    (ResponseStatus.COMPLETE, True, True),
    (ResponseStatus.NOT_APPLICABLE, True, True),
])
def test_response_status_decides_which_deadlines_are_met(status, underway_met, complete_met):
    underway, complete = alert_deadlines(date(2025, 1, 1), date(2025, 6, 1), status.value, today=TODAY)
    assert (underway.met, complete.met) == (underway_met, complete_met)
    assert underway.overdue is (not underway_met)  # 1 Jan has passed
    assert complete.days_left == 79 and not complete.overdue


@pytest.mark.parametrize("assessed, open_actions, state", [
    (False, 0, WardAlertState.NOT_ASSESSED),
    (False, 3, WardAlertState.NOT_ASSESSED),
    (True, 2, WardAlertState.OPEN_ACTIONS),
    (True, 0, WardAlertState.CLOSED),
])
def test_ward_state_table(assessed, open_actions, state):
    assert ward_state(assessed=assessed, open_actions=open_actions) is state


@pytest.mark.parametrize("last_checked, last_result, expected", [
    (None, None, date(2025, 1, 10)),  # never checked: due from registration
    (date(2025, 2, 1), "pass", date(2025, 3, 3)),  # 30 days after a pass
    (date(2025, 2, 1), "fail", date(2025, 2, 1)),  # a failed check is due again at once
])
def test_next_check_due(last_checked, last_result, expected):
    assert next_check_due(since=date(2025, 1, 10), interval_days=30, last_checked=last_checked,
                          last_result=last_result) == expected


def test_a_check_interval_below_one_day_is_refused():
    with pytest.raises(ValueError):
        next_check_due(since=TODAY, interval_days=0, last_checked=None, last_result=None)


@pytest.mark.parametrize("next_due, state", [
    (date(2025, 3, 13), CheckState.OVERDUE),
    (date(2025, 3, 14), CheckState.DUE),
    (date(2025, 3, 21), CheckState.DUE),
    (date(2025, 3, 22), CheckState.OK),
])
def test_check_state_is_overdue_after_the_date_and_due_within_a_week(next_due, state):
    assert check_state(next_due, today=TODAY) is state
