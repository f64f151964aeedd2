"""Clinical grading rules (domain.grading): every rule as a table."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from inspect_app.domain.bands import Band, PolicyError, RiskError
from inspect_app.domain.grading import (
    DEFAULT_GRADING,
    Context,
    GradingPolicy,
    InterimKind,
    LoadBearing,
    check_acceptance_review,
    check_interim_control,
    check_load_bearing,
    check_residual,
    floor,
    grade_point,
    interim_expired,
    load_bearing_value,
    needs_approver,
    rebased_deadlines,
    target_grade,
)

B = Band
FULL, PARTIAL, NONE = LoadBearing.FULL, LoadBearing.PARTIAL, LoadBearing.NONE
TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0)


@pytest.mark.parametrize("context, expected", [
    # tier: a load-bearing point in Tier 2 or 3 is at least High, whatever its height
    (Context("T1", FULL), None),
    (Context("T2", FULL), B.HIGH),
    (Context("T3", PARTIAL), B.HIGH),
    (Context("NP", FULL), None),
    # low-level or partial suspension: a floor in Tier 1 too
    (Context("T1", PARTIAL), B.MODERATE),
    (Context("T1", FULL, low_level=True), B.MODERATE),
    (Context("T2", FULL, low_level=True), B.HIGH),
    # patient group and observation (defaults: CAMHS, PICU; intermittent or unobserved)
    (Context("T1", FULL, patient_group="camhs"), B.HIGH),
    (Context("T1", FULL, patient_group="picu"), B.HIGH),
    (Context("T1", FULL, patient_group="acute"), None),
    (Context("T1", FULL, observation="intermittent"), B.HIGH),
    (Context("T1", FULL, observation="unobserved"), B.HIGH),
    (Context("T1", FULL, observation="eyesight"), None),
    # a point that cannot bear a ligature has no floor anywhere
    (Context("T3", NONE, low_level=True, patient_group="camhs", observation="unobserved"), None),
    # not answered yet: graded as load-bearing (fail safe)
    (Context("T2", None), B.HIGH),
])
def test_floor_by_tier_height_group_and_observation(context, expected):
    band, reasons = floor(context)
    assert band == expected
    assert bool(reasons) == (expected is not None)


def test_unanswered_load_bearing_says_so_in_the_reasons():
    assert any("not recorded" in r for r in floor(Context("T2", None))[1])


@pytest.mark.parametrize("likelihood, consequence, context, band", [
    (2, 3, Context("T2", PARTIAL, low_level=True), B.HIGH),  # the 300 mm handrail: no longer Moderate
    (2, 3, Context("T2", NONE), B.MODERATE),
    (1, 1, Context("T3", FULL), B.HIGH),
    (5, 5, Context("T1", FULL), B.EXTREME),  # a floor never lowers
    (1, 2, Context("T1", FULL), B.LOW),
])
def test_grade_point_raises_the_matrix_band_to_the_floor(likelihood, consequence, context, band):
    result = grade_point(likelihood, consequence, context)
    assert result.band == band and result.band >= result.calculated_band


def test_trust_policy_overrides_floors_and_refuses_nonsense():
    policy = GradingPolicy.from_dict({"patient_group_floors": {"acute": "extreme"}, "tier_floors": {}})
    assert floor(Context("T2", FULL, patient_group="acute"), policy)[0] == B.EXTREME
    assert GradingPolicy.from_dict(policy.to_dict()) == policy
    for bad in ({"tier_floors": {"T9": "high"}}, {"observation_floors": {"eyesight": "severe"}},
                {"interim_review_days": {"high": 0}}, {"colour": 1}, {"target_likelihood": 6}, []):
        with pytest.raises(PolicyError):
            GradingPolicy.from_dict(bad)


@pytest.mark.parametrize("load_bearing, consequence, lb_reason, c_reason, refused", [
    (FULL, 5, None, None, False),
    (FULL, 4, None, None, True),
    (PARTIAL, 3, None, "  ", True),
    (PARTIAL, 3, None, "Gives way under 5 kg (tested)", False),
    (NONE, 2, None, None, True),
    (NONE, 2, "Collapses under 1 kg", None, False),
    (None, 2, None, None, False),  # not answered: the floor fails safe instead
    (FULL, None, None, None, False),  # not grading yet
])
def test_load_bearing_needs_reasons(load_bearing, consequence, lb_reason, c_reason, refused):
    if refused:
        with pytest.raises(RiskError):
            check_load_bearing(load_bearing, consequence, load_bearing_reason=lb_reason, consequence_reason=c_reason)
    else:
        check_load_bearing(load_bearing, consequence, load_bearing_reason=lb_reason, consequence_reason=c_reason)


def test_load_bearing_value_reads_answers():
    assert load_bearing_value("partial") is PARTIAL and load_bearing_value("") is None
    with pytest.raises(RiskError):
        load_bearing_value("maybe")


@pytest.mark.parametrize("original, residual, refused", [(5, 5, False), (5, 4, True), (3, 4, False), (None, 1, False)])
def test_residual_grade_lowers_likelihood_only(original, residual, refused):
    if refused:
        with pytest.raises(RiskError, match="likelihood only"):
            check_residual(original, residual)
    else:
        check_residual(original, residual)


@pytest.mark.parametrize("band, target, interim_by, expected_target, expected_interim", [
    # Moderate (90 days) raised to Extreme: 7 days from now and an interim control now
    (B.EXTREME, date(2026, 5, 31), NOW + timedelta(days=7), date(2026, 3, 9), NOW),
    # an earlier deadline is never pushed back
    (B.HIGH, date(2026, 3, 3), NOW + timedelta(hours=2), date(2026, 3, 3), NOW + timedelta(hours=2)),
    (B.HIGH, date(2026, 6, 1), None, date(2026, 4, 1), NOW + timedelta(hours=24)),
])
def test_band_rise_brings_deadlines_forward_never_back(band, target, interim_by, expected_target, expected_interim):
    due = rebased_deadlines(band, target=target, interim_by=interim_by, now=NOW)
    assert (due.target, due.interim_by) == (expected_target, expected_interim)


@pytest.mark.parametrize("kind, details, level, band, review, message", [
    ("other", "Staff to be more vigilant", None, B.EXTREME, TODAY, "vigilance"),
    ("other", "Increased observation of the corridor", None, B.HIGH, TODAY, "vigilance"),
    ("enhanced_observation", "Observation", None, B.EXTREME, TODAY, "observation level"),
    ("other", "", None, B.MODERATE, TODAY, "Describe"),
    ("access_removed", "Room 4 locked", None, B.EXTREME, TODAY + timedelta(days=8), "within 7 days"),
    ("fixture_removed", "Closer removed", None, B.HIGH, TODAY + timedelta(days=15), "within 14 days"),
    ("bogus", "x", None, B.HIGH, TODAY, "type of interim control"),
])
def test_interim_controls_cqc_would_not_accept_are_refused(kind, details, level, band, review, message):
    with pytest.raises(RiskError, match=message):
        check_interim_control(kind, details, level, band=band, review_date=review, today=TODAY)


@pytest.mark.parametrize("kind, details, level, band, review", [
    ("enhanced_observation", "Within arm's length in the en-suite", "arms_length", B.EXTREME, TODAY + timedelta(days=7)),
    ("temporary_cover", "Boxed in with a tamper-proof cover", None, B.HIGH, TODAY + timedelta(days=14)),
    ("other", "Staff to be more vigilant", None, B.MODERATE, TODAY + timedelta(days=60)),  # not serious: allowed
])
def test_interim_controls_that_change_the_environment_or_state_a_level_pass(kind, details, level, band, review):
    assert check_interim_control(kind, details, level, band=band, review_date=review, today=TODAY) is InterimKind(kind)


@pytest.mark.parametrize("band, days, refused", [
    (B.EXTREME, 31, False), (B.EXTREME, 32, True), (B.HIGH, 92, False), (B.HIGH, 93, True), (B.MODERATE, 400, False),
])
def test_acceptance_review_is_capped_by_band(band, days, refused):
    if refused:
        with pytest.raises(RiskError):
            check_acceptance_review(band, TODAY + timedelta(days=days), today=TODAY)
    else:
        check_acceptance_review(band, TODAY + timedelta(days=days), today=TODAY)


@pytest.mark.parametrize("band, two", [(B.LOW, False), (B.MODERATE, False), (B.HIGH, True), (B.EXTREME, True)])
def test_serious_risks_need_an_approver(band, two):
    assert needs_approver(band) is two


def test_expiry_and_target_grade():
    assert interim_expired(TODAY - timedelta(days=1), TODAY) and not interim_expired(TODAY, TODAY)
    assert not interim_expired(None, TODAY)
    assert target_grade(5) == (1, 5, 5, B.MODERATE)
    assert DEFAULT_GRADING.interim_review_days == {"extreme": 7, "high": 14}
