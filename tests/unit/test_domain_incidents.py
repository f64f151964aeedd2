"""Incident rules (domain.incidents): the likelihood floor and the NHS-number refusal, as tables."""
from __future__ import annotations

import pytest

from inspect_app.domain.bands import PolicyError
from inspect_app.domain.grading import GradingPolicy
from inspect_app.domain.incidents import IncidentType, likelihood_after_incident, looks_like_nhs_number, nhs_check_digit_valid


@pytest.mark.parametrize("current, policy, expected", [
    (None, GradingPolicy(), 4),   # ungraded: the floor
    (1, GradingPolicy(), 4),      # "rare" is not credible once it has happened here
    (3, GradingPolicy(), 4),
    (4, GradingPolicy(), 4),
    (5, GradingPolicy(), 5),      # a higher likelihood is kept
    (2, GradingPolicy(incident_likelihood=5), 5),  # the trust's own floor
    (2, GradingPolicy(incident_likelihood=3), 3),
])
def test_incident_raises_likelihood_to_the_policy_floor(current, policy, expected):
    assert likelihood_after_incident(current, policy) == expected


@pytest.mark.parametrize("value", [0, 6, True, "4"])
def test_incident_floor_must_be_a_likelihood(value):
    with pytest.raises(PolicyError, match="incident_likelihood"):
        GradingPolicy(incident_likelihood=value)


def test_incident_floor_round_trips_through_the_stored_policy():
    policy = GradingPolicy(incident_likelihood=5)
    assert GradingPolicy.from_dict(policy.to_dict()).incident_likelihood == 5


@pytest.mark.parametrize("digits, valid", [
    ("9434765919", True),    # the NHS Digital documentation's example number
    ("4010232137", True),
    ("9434765918", False),   # wrong check digit
    ("1234567890", False),   # check digit would be 10: never issued
    ("943476591", False),
])
def test_modulus_11(digits, valid):
    assert nhs_check_digit_valid(digits) is valid


@pytest.mark.parametrize("text, refused", [
    ("9434765919", True),
    ("Patient 943 476 5919 found", True),
    ("943-476-5919", True),
    ("123 456 7890", True),          # grouped like an NHS number: refused even with a bad check digit
    ("DW-1234567890", False),        # ten digits failing Modulus 11: an incident system's reference
    ("W123456", False),
    ("94347659190", False),          # eleven digits is not an NHS number
    ("", False),
    (None, False),
])
def test_values_that_look_like_nhs_numbers(text, refused):
    assert looks_like_nhs_number(text) is refused


def test_only_a_ligature_without_an_anchor_has_no_point():
    assert [t for t in IncidentType if not t.uses_anchor] == [IncidentType.NO_ANCHOR]
