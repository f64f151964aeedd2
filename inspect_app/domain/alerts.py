"""Alert response and recurring product-check rules over plain dates.

An Estates and Facilities Alert (or National Patient Safety Alert) reaches a trust through the
Central Alerting System with two deadlines: action underway by, and action complete by
(domain.md section 1.1). Each ward in an alert's scope is in one of three states, and alerts
ask for periodic checks of products such as collapsible curtain rails (HTM 66 and the
manufacturer's instructions, EFA/2019/003). The clock is always passed in as ``today``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .labelled import LabelledEnum


class ResponseStatus(LabelledEnum):
    """The trust's own response to an alert, as reported back through CAS."""

    NOT_STARTED = "not_started", "Not started"
    UNDERWAY = "underway", "Action underway"
    COMPLETE = "complete", "Action complete"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class WardAlertState(LabelledEnum):
    """Where one ward in an alert's scope stands."""

    NOT_ASSESSED = "not_assessed", "Not yet assessed", "No signed-off inspection used a checklist covering the alert."
    OPEN_ACTIONS = "open_actions", "Assessed, actions open", "Assessed; some ligature points still have open actions."
    RISK_REMAINS = ("risk_remains", "Assessed, risk remains",
                    "Assessed; no action is open, but a risk is accepted, a product check failed or is overdue, "
                    "or an interim control is past its review date.")
    CLOSED = "closed", "Assessed, all actions closed", "Assessed; every action from the alert's items is closed."


class FixtureKind(LabelledEnum):
    """Products that alerts and manufacturers ask to be checked on a schedule."""

    CURTAIN_RAIL = "curtain_rail", "Collapsible curtain rail or track"
    SHOWER_RAIL = "shower_rail", "Collapsible shower curtain rail"
    DOOR_TOP_ALARM = "door_top_alarm", "Door-top alarm"
    LOAD_RELEASE_HOOK = "load_release_hook", "Load-release hook"
    OTHER = "other", "Other anti-ligature product"


class CheckResult(LabelledEnum):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"


class CheckState(LabelledEnum):
    """How urgent a fixture's next check is."""

    OVERDUE = "overdue", "Overdue"
    DUE = "due", "Due soon"
    OK = "ok", "Up to date"


#: A check falls "due" this many days before its date, so it can be planned into a ward round.
DUE_SOON_DAYS = 7

# Which response statuses satisfy each deadline.
_UNDERWAY_MET = frozenset({ResponseStatus.UNDERWAY, ResponseStatus.COMPLETE, ResponseStatus.NOT_APPLICABLE})
_COMPLETE_MET = frozenset({ResponseStatus.COMPLETE, ResponseStatus.NOT_APPLICABLE})


@dataclass(frozen=True)
class Deadline:
    """One alert deadline as seen on ``today``. ``due`` is None when the alert gives no date."""

    label: str
    due: date | None
    met: bool
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return not self.met and self.days_left is not None and self.days_left < 0

    @property
    def summary(self) -> str:
        """Words for the deadline, so colour is never the only signal."""
        if self.due is None:
            return "No date given"
        if self.met:
            return "Met"
        if self.days_left < 0:
            days = -self.days_left
            return f"Overdue by {days} day{'s' if days != 1 else ''}"
        if self.days_left == 0:
            return "Due today"
        return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"


def deadline(label: str, due: date | None, *, met: bool, today: date) -> Deadline:
    """A deadline with the days left until it (negative once passed).

    :param label: what the deadline is ("Action underway by").
    :param due: the date from the alert, or None when none is known.
    :param met: whether the trust's response already satisfies it.
    :param today: the current date (passed in; never read from the clock).
    """
    return Deadline(label, due, met, None if due is None else (due - today).days)


def alert_deadlines(underway_by: date | None, complete_by: date | None, status: str, *,
                    today: date) -> tuple[Deadline, Deadline]:
    """The alert's two deadlines, each marked met when the response status satisfies it.

    :param underway_by: the "action underway by" date.
    :param complete_by: the "action complete by" date.
    :param status: the trust's :class:`ResponseStatus` value.
    :param today: the current date.
    """
    current = ResponseStatus(status)
    return (deadline("Action underway by", underway_by, met=current in _UNDERWAY_MET, today=today),
            deadline("Action complete by", complete_by, met=current in _COMPLETE_MET, today=today))


def ward_state(*, assessed: bool, open_actions: int, remaining_risks: int = 0) -> WardAlertState:
    """A ward's state against an alert. "All actions closed" is never said while a risk remains.

    :param assessed: whether a signed-off full annual assessment used a checklist version covering
        the alert (routine and spot checks never count).
    :param open_actions: actions still open on ligature points recorded against the alert's items.
    :param remaining_risks: risk-accepted points, failed or overdue product checks and interim
        controls past their review date on those points and fixtures.
    """
    if not assessed:
        return WardAlertState.NOT_ASSESSED
    if open_actions:
        return WardAlertState.OPEN_ACTIONS
    return WardAlertState.RISK_REMAINS if remaining_risks else WardAlertState.CLOSED


def next_check_due(*, since: date, interval_days: int, last_checked: date | None,
                   last_result: str | None) -> date:
    """When a fixture must next be checked.

    Never checked: due from the day it was registered. Passed: the interval after the check.
    Failed: due again at once, because a failed collapsible rail or alarm is a live ligature
    risk until it is repaired and passes a re-check.

    :param since: the day the fixture was registered.
    :param interval_days: days between checks (at least 1).
    :param last_checked: the date of the latest check, or None.
    :param last_result: the :class:`CheckResult` value of the latest check, or None.
    """
    if interval_days < 1:
        raise ValueError("A check interval must be at least one day.")
    if last_checked is None:
        return since
    if last_result == CheckResult.FAIL:
        return last_checked
    return last_checked + timedelta(days=interval_days)


def check_state(next_due: date, *, today: date, soon_days: int = DUE_SOON_DAYS) -> CheckState:
    """Overdue once the due date has passed; due within ``soon_days`` of it; otherwise up to date.

    :param next_due: from :func:`next_check_due`.
    :param today: the current date.
    :param soon_days: how many days ahead a check counts as due.
    """
    if next_due < today:
        return CheckState.OVERDUE
    if next_due <= today + timedelta(days=soon_days):
        return CheckState.DUE
    return CheckState.OK
