"""The password policy, table-tested: length, the shipped common list (disguises undone), the
guess estimate, and the person's email name and the trust's name."""
from __future__ import annotations

import pytest

from inspect_app.auth.password_policy import common_passwords, policy_problems, trust_words

TRUST = "Northmoor and Vale Mental Health NHS Foundation Trust (demo)"


def test_the_common_list_has_at_least_ten_thousand_entries():
    assert len(common_passwords()) >= 10_000


@pytest.mark.parametrize("password,why", [
    ("short-pw1", "at least 12"),
    ("P@ssw0rd1234", "too common"),
    ("qwertyuiop12!", "too common"),
    ("correcthorse", "too easy to guess"),
    ("Sunshine2026!", "too common"),
    ("sam.okafor-wardrounds-91", "email name"),
    ("northmoor rails 2026 kettle", "trust's name"),
    ("quiet-VALE-lantern-orbit", "trust's name"),
])
def test_weak_passwords_are_refused_with_the_reason(password, why):
    problems = policy_problems(password, email="sam.okafor@demo.nhs.test", name="Sam Okafor", trust_name=TRUST)
    assert any(why in p for p in problems), problems


@pytest.mark.parametrize("password", ["a quiet ward at dawn 7", "temporary-pass-9182", "lantern orbit pebble tuesday"])
def test_strong_passwords_pass(password):
    assert policy_problems(password, email="sam.okafor@demo.nhs.test", name="Sam Okafor", trust_name=TRUST) == []


def test_generic_words_of_a_trust_name_are_not_refused():
    assert trust_words(TRUST) == {"northmoor", "vale"}
