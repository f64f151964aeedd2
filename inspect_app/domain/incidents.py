"""Ligature incidents: their types and outcomes, the "it has happened here" likelihood floor, and
the refusal of anything that looks like a patient identifier.

Pure rules over plain values (no Flask, SQLAlchemy or Pillow). Sources in docs/decisions.md.
"""
from __future__ import annotations

import re

from .grading import DEFAULT_GRADING, GradingPolicy
from .labelled import LabelledEnum


class IncidentType(LabelledEnum):
    """What happened, in the words of the issue (and of NCISH's inpatient-suicide reports)."""

    FULLY_SUSPENDED = "fully_suspended", "Fully suspended"
    PARTIALLY_SUSPENDED = "partially_suspended", "Partially suspended"
    NO_ANCHOR = "no_anchor", "Ligature applied without an anchor point"
    ATTEMPT_PREVENTED = "attempt_prevented", "Attempt prevented"
    NEAR_MISS = "near_miss", "Near miss"

    @property
    def uses_anchor(self) -> bool:
        """A ligature tied round the neck with nothing to anchor it has no point to re-grade."""
        return self is not IncidentType.NO_ANCHOR


class Outcome(LabelledEnum):
    """Physical harm, as the NHS Learn from Patient Safety Events service (LFPSE) grades it."""

    NO_HARM = "no_harm", "No physical harm"
    LOW = "low", "Low physical harm"
    MODERATE = "moderate", "Moderate physical harm"
    SEVERE = "severe", "Severe physical harm"
    FATAL = "fatal", "Fatal"


NHS_NUMBER_MESSAGE = ("This looks like an NHS number. Never record patient identifiers here: "
                      "use the incident system's reference instead.")
# Ten digits, alone or grouped 3-3-4 with spaces or dashes, not part of a longer number.
_TEN_DIGITS = re.compile(r"(?<![\d])(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?![\d])")
_GROUPED = re.compile(r"(?<![\d])\d{3}[ \-]\d{3}[ \-]\d{4}(?![\d])")


def nhs_check_digit_valid(digits: str) -> bool:
    """True when ten digits pass the NHS number's Modulus 11 check.

    :param digits: exactly ten digits.
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=False))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def looks_like_nhs_number(text: str | None) -> bool:
    """True when the text holds something a reader would take for an NHS number.

    Ten digits grouped 3-3-4 (with spaces or dashes) always count; an ungrouped run of ten
    digits counts when it passes Modulus 11 (an incident system's own ten-digit reference that
    fails the check is let through).

    :param text: any field's value.
    """
    if not text:
        return False
    if _GROUPED.search(text):
        return True
    return any(nhs_check_digit_valid("".join(m.groups())) for m in _TEN_DIGITS.finditer(text))


def likelihood_after_incident(current: int | None, policy: GradingPolicy = DEFAULT_GRADING) -> int:
    """A point's likelihood once an incident happened at it: at least the policy's floor
    (4, "likely", by default); a higher likelihood is kept.

    :param current: the point's likelihood now (None: not graded yet).
    :param policy: the trust's grading rules (``incident_likelihood``).
    """
    return max(current or 0, policy.incident_likelihood)
