"""Assurance rules over plain data: who signs what, which inspections reset the clock, which rooms
need a second look, and what stops a ward being called clear."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from inspect_app.domain.alerts import WardAlertState, ward_state
from inspect_app.domain.assurance import (
    DEFAULT_SECOND_LOOK,
    Caveat,
    FlagKind,
    RoomFacts,
    SecondLookPolicy,
    SignatureError,
    caveats,
    check_signatory,
    interim_past_review,
    next_assessment_due,
    required_capacities,
    resets_assessment_clock,
    second_look_flags,
)

T0 = datetime(2025, 3, 14, 10, 0)


@pytest.mark.parametrize("kind, resets, capacities", [
    ("annual", True, ("lead", "clinical")),
    ("reassessment", False, ("lead",)),
    ("routine", False, ("lead",)),
    ("spot", False, ("lead",)),  # a type added later is never an assessment by default
])
def test_only_the_annual_assessment_resets_the_clock_and_needs_two_signatures(kind, resets, capacities):
    assert resets_assessment_clock(kind) is resets
    assert tuple(c.value for c in required_capacities(kind)) == capacities


def test_next_assessment_is_due_a_year_after_the_last_one_or_now():
    assert next_assessment_due(date(2025, 3, 14)) == date(2026, 3, 14)
    assert next_assessment_due(None) is None


LEAD, MANAGER, OTHER_MANAGER, SAFETY, INSPECTOR2, ADMIN = 1, 2, 3, 4, 5, 6


@pytest.mark.parametrize("capacity, user, role, manages, signed, kind, error", [
    ("lead", LEAD, "inspector", False, {}, "annual", None),
    ("lead", INSPECTOR2, "inspector", False, {}, "annual", "Only the lead inspector"),
    ("lead", ADMIN, "admin", False, {}, "annual", None),
    ("lead", LEAD, "inspector", False, {"lead": LEAD}, "annual", "already been given"),
    ("clinical", MANAGER, "ward_manager", True, {}, "annual", "lead inspector signs first"),
    ("clinical", MANAGER, "ward_manager", True, {"lead": LEAD}, "annual", None),
    ("clinical", OTHER_MANAGER, "ward_manager", False, {"lead": LEAD}, "annual", "ward manager of this ward"),
    ("clinical", SAFETY, "safety_lead", False, {"lead": LEAD}, "annual", None),
    ("clinical", INSPECTOR2, "inspector", False, {"lead": LEAD}, "annual", "ward manager of this ward"),
    # The lead cannot sign both roles, whatever their account's role.
    ("clinical", LEAD, "safety_lead", True, {"lead": LEAD}, "annual", "different person"),
    ("clinical", ADMIN, "safety_lead", False, {"lead": ADMIN}, "annual", "different person"),
    ("clinical", SAFETY, "safety_lead", False, {"lead": LEAD}, "routine", "no clinical sign-off"),
    ("witness", SAFETY, "safety_lead", False, {}, "annual", "Choose what you are signing as"),
])
def test_who_may_sign_in_which_capacity(capacity, user, role, manages, signed, kind, error):
    call = lambda: check_signatory(capacity, inspection_type=kind, user_id=user, user_role=role,  # noqa: E731
                                   lead_inspector_id=LEAD, manages_ward=manages, signed=signed)
    if error is None:
        assert call().value == capacity
    else:
        with pytest.raises(SignatureError, match=error):
            call()


def _room(tier="T3", answers=("not_applicable",) * 5, gap=30, photos=0, closed=False):
    return RoomFacts(1, "Seclusion suite", tier, answers, [T0 + timedelta(seconds=gap * i) for i in range(len(answers))],
                     photos, closed)


@pytest.mark.parametrize("room, kinds", [
    (_room(), {FlagKind.ALL_NA, FlagKind.NO_PHOTO}),
    (_room(tier="T2"), {FlagKind.ALL_NA}),
    (_room(tier="T1"), set()),  # a closely supervised room may really have nothing in it
    (_room(photos=1), {FlagKind.ALL_NA}),
    (_room(answers=("compliant",) * 5, photos=2), set()),
    (_room(answers=("compliant", "not_applicable"), photos=2), set()),
    (_room(answers=("compliant",) * 4, photos=2, gap=3), {FlagKind.RAPID}),  # 4 answers in 9 seconds
    (_room(answers=("compliant",) * 4, photos=2, gap=4), set()),  # 12 seconds: a brisk but real look
    (_room(answers=("compliant",) * 3, photos=2, gap=0), set()),  # too few answers to judge
    (_room(closed=True), set()),  # not accessible: reported as not inspected instead
    (_room(answers=()), set()),
])
def test_second_look_flags_with_the_default_thresholds(room, kinds):
    assert {flag.kind for flag in second_look_flags([room])} == kinds


def test_a_trust_sets_its_own_thresholds():
    policy = SecondLookPolicy.from_dict({"rapid_seconds": 30, "photo_tiers": ["T2", "T3"], "unknown": 1})
    assert policy.rapid_seconds == 30 and policy.rapid_min_answers == DEFAULT_SECOND_LOOK.rapid_min_answers
    flags = second_look_flags([_room(tier="T2", answers=("compliant",) * 4, gap=5)], policy)
    assert {f.kind for f in flags} == {FlagKind.NO_PHOTO, FlagKind.RAPID}
    assert SecondLookPolicy.from_dict(None) is DEFAULT_SECOND_LOOK
    with pytest.raises(ValueError):
        SecondLookPolicy.from_dict({"rapid_min_answers": 1})


def test_flag_keys_are_stable_per_room_and_kind():
    flags = second_look_flags([_room()])
    assert sorted(f.key for f in flags) == ["1:all_na", "1:no_photo"]


@pytest.mark.parametrize("assessed, open_actions, remaining, state", [
    (False, 0, 0, WardAlertState.NOT_ASSESSED),
    (False, 0, 3, WardAlertState.NOT_ASSESSED),
    (True, 2, 1, WardAlertState.OPEN_ACTIONS),
    (True, 0, 1, WardAlertState.RISK_REMAINS),  # an accepted risk or a failed check is not "all closed"
    (True, 0, 0, WardAlertState.CLOSED),
])
def test_a_ward_is_all_closed_only_when_nothing_remains(assessed, open_actions, remaining, state):
    assert ward_state(assessed=assessed, open_actions=open_actions, remaining_risks=remaining) is state


def test_caveats_in_words_in_a_fixed_order():
    assert caveats({Caveat.FAILED_CHECKS: 1, Caveat.ACCEPTED_RISKS: 2, Caveat.OPEN_ACTIONS: 0}) == [
        "2 risk-accepted point(s)", "1 failed product check(s)"]


@pytest.mark.parametrize("review, is_open, past", [
    (date(2025, 3, 13), True, True), (date(2025, 3, 14), True, False), (None, True, False),
    (date(2025, 3, 1), False, False),
])
def test_interim_control_past_review(review, is_open, past):
    assert interim_past_review(review, status_open=is_open, today=date(2025, 3, 14)) is past
