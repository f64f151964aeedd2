"""Risk grading for ligature points: the NHS 5x5 matrix, per-trust bands, tier rules, due dates.

A grade has two parts: the band the likelihood x consequence score falls in, and the
effective band after the product's safety rules (Tier 3 uplift; low height never lowers a
grade). Rules only ever raise a band. Band thresholds, colours and deadlines live in a
:class:`BandPolicy` (see ``bands.py``) so that each trust can store its own; the default is
the NPSA four-band scheme with the deadlines proposed in domain.md section 6.2.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType

# The band types live in bands.py to keep each file short; they are re-exported here so
# callers have one place to import risk names from.
from .bands import DEFAULT_POLICY, Band, BandPolicy, BandRule, PolicyError, RiskError
from .labelled import LabelledEnum

__all__ = [
    "CONSEQUENCE_GUIDANCE", "CONSEQUENCE_LABELS", "DEFAULT_POLICY", "LIKELIHOOD_GUIDANCE",
    "LIKELIHOOD_LABELS", "MITIGATIONS", "Band", "BandPolicy", "BandRule", "DueDates", "Grade",
    "PolicyError", "RiskError", "Tier", "due_dates", "grade", "interim_required",
    "needs_action", "score",
]

LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
CONSEQUENCE_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}

# Shown beside each option on the grading form: the generic NPSA wording ("might happen
# occasionally") is hard to apply to a door hinge, so the guidance is about ligature use.
LIKELIHOOD_GUIDANCE = {
    1: "Very hard to use (needs tools or dismantling) and out of reach of a patient on their own.",
    2: "Usable only with real effort, in an area that is staffed or always in view.",
    3: "Usable, in a lightly supervised area such as a lounge or a corridor out of sight lines.",
    4: "Easy to use, in an area where a patient can be alone for short spells.",
    5: "Easy to use where patients spend long periods alone (bedroom, en-suite), or used before.",
}
# Consequence is about what would happen if the point were used, not how hard it is to use.
# About half of hangings are not fully suspended (Bennewith 2005; Gunnell 2005), so a point that
# bears a partial-suspension ligature (kneeling, sitting, lying; at any height) is Catastrophic.
CONSEQUENCE_GUIDANCE = {
    1: "No credible harm could come from this feature.",
    2: "Minor injury at most; the feature cannot take a load or hold a ligature.",
    3: "Could hold a ligature only briefly before it gives way (tested); moderate harm is plausible.",
    4: "Could hold a ligature but gives way before it could bear any part of a person's weight "
       "(say why); serious harm is plausible.",
    5: "Can bear a ligature, fully or partly suspended (kneeling, sitting or lying), at any height: "
       "death is plausible. The default for every load-bearing point.",
}


class Tier(LabelledEnum):
    """CQC-style area tier: how long a patient may be alone in the room."""

    T1 = "T1", "Tier 1", "Closely supervised areas where patients are not normally left alone."
    T2 = "T2", "Tier 2", "Freely used areas where patients may spend time with little supervision."
    T3 = ("T3", "Tier 3",
          "Areas where patients may spend long periods alone, such as bedrooms and en-suites.")
    NP = ("NP", "No patient access",
          "Staff-only areas, made safe by access control rather than by removing fixtures.")


def _band(value: Band | str) -> Band:
    try:
        return Band(value)
    except ValueError:
        message = f"Unknown risk band {value!r}; use low, moderate, high or extreme."
        raise RiskError(message) from None


def _axis(value: object, name: str, labels: dict[int, str]) -> int:
    # bool is an int subclass; True would otherwise grade as 1 without complaint.
    if isinstance(value, bool) or not isinstance(value, int) or value not in labels:
        choices = ", ".join(f"{key} {text}" for key, text in labels.items())
        raise RiskError(f"{name} must be a whole number from 1 to 5 ({choices}); got {value!r}.")
    return value


def score(likelihood: int, consequence: int) -> int:
    """Likelihood x consequence, 1 to 25.

    :param likelihood: 1 (Rare) to 5 (Almost certain).
    :param consequence: 1 (Negligible) to 5 (Catastrophic).
    :raises RiskError: when either is not an int from 1 to 5 (bools are refused).
    """
    return _axis(likelihood, "Likelihood", LIKELIHOOD_LABELS) * _axis(
        consequence, "Consequence", CONSEQUENCE_LABELS)


GRADE_FORMAT_MESSAGE = "The grade must be likelihood x consequence, for example 4x5."


def parse_grade(raw: object) -> tuple[int, int] | None:
    """A grid cell as sent by a form or a device, ``"4x5"``, as (likelihood 4, consequence 5).

    Whether each number is on the 1-5 scale is :func:`score`'s check, made when the point is graded.

    :param raw: the cell, ``"LxC"`` (any case, spaces around the numbers allowed); None or "" for no grade.
    :returns: (likelihood, consequence), or None when no cell was picked.
    :raises RiskError: when the value is not two whole numbers joined by an x.
    """
    if raw in (None, ""):
        return None
    try:
        likelihood, consequence = (int(part) for part in str(raw).lower().split("x"))
    except ValueError:
        raise RiskError(GRADE_FORMAT_MESSAGE) from None
    return likelihood, consequence


@dataclass(frozen=True)
class Grade:
    """A graded ligature point; ``reasons`` are page sentences for each rule that applied."""

    likelihood: int
    consequence: int
    score: int
    calculated_band: Band
    band: Band
    reasons: tuple[str, ...] = ()

    @property
    def uplifted(self) -> bool:
        """True when a rule raised the band above the matrix band."""
        return self.band > self.calculated_band


TIER3_REASON = ("Tier 3 room: patients may spend long periods alone, so any ligature point is "
                "graded at least High (CQC tier guidance).")
LOW_LEVEL_REASON = ("Low-level point: height does not lower the grade; low ligature points "
                    "are not low risk (CQC 2023).")


def grade(likelihood: int, consequence: int, *, tier: Tier | str, low_level: bool = False,
          policy: BandPolicy = DEFAULT_POLICY) -> Grade:
    """Grade one ligature point.

    :param likelihood: 1 to 5.
    :param consequence: 1 to 5.
    :param tier: the room's tier; in Tier 3 the effective band is at least High.
    :param low_level: the point is low down. It never lowers the band; the flag only adds a
        reason so that the page explains why a low point was not graded down.
    :param policy: the trust's bands.
    :raises RiskError: for an invalid likelihood, consequence or tier.
    """
    try:
        room_tier = Tier(tier)
    except ValueError:
        raise RiskError(f"Unknown area tier {tier!r}; use T1, T2, T3 or NP.") from None
    value = score(likelihood, consequence)
    calculated = policy.rule_for_score(value).band
    band, reasons = calculated, []
    if room_tier is Tier.T3 and band < Band.HIGH:
        band = Band.HIGH
        reasons.append(TIER3_REASON)
    if low_level:
        # Nothing to compute: the band above is the one the point would get at any height.
        reasons.append(LOW_LEVEL_REASON)
    return Grade(likelihood, consequence, value, calculated, band, tuple(reasons))


@dataclass(frozen=True)
class DueDates:
    """Deadlines for a finding: permanent remediation, and the interim control if one is set."""

    target: date
    interim_by: datetime | None


def due_dates(band: Band | str, *, identified_at: datetime,
              policy: BandPolicy = DEFAULT_POLICY) -> DueDates:
    """Deadlines counted from when the point was identified.

    :param band: the effective band.
    :param identified_at: when the inspector recorded the point (the caller's clock).
    :param policy: the trust's bands.
    """
    rule = policy.rule(_band(band))
    interim_by = None
    if rule.interim_hours is not None:
        interim_by = identified_at + timedelta(hours=rule.interim_hours)
    return DueDates(identified_at.date() + timedelta(days=rule.target_days), interim_by)


def interim_required(band: Band | str, policy: BandPolicy = DEFAULT_POLICY) -> bool:
    """True when an interim control is mandatory before permanent work is ordered.

    That is when the band is at or above ``policy.interim_required_from`` and the band has an
    interim deadline at all (a trust may set ``interim_hours`` to None to opt a band out).

    :param band: the effective band.
    :param policy: the trust's bands.
    """
    wanted = _band(band)
    return wanted >= policy.interim_required_from and policy.rule(wanted).interim_hours is not None


MITIGATIONS = MappingProxyType({
    "REMOVE": "Remove fixture",
    "REPLACE": "Replace with an anti-ligature product",
    "MODIFY": "Modify (box in, infill, slope, tamper-proof fixings)",
    "RESTRICT": "Restrict access (locked or self-closing, self-locking door)",
    "DETECT": "Detect (door-top alarm or sensor)",
    "OBSERVE": "Observation (interim control only)",
    "ACCEPT": "Accept with documented controls",
    "CAPITAL": "Capital scheme (interim control mandatory)",
})


def needs_action(band: Band | str, mitigation: str | None) -> bool:
    """True when a finding needs a remediation action.

    Moderate and above always do; a Low point does unless it is accepted with documented controls.

    :param band: the effective band.
    :param mitigation: a :data:`MITIGATIONS` code, or None if not chosen yet.
    :raises RiskError: for an unknown mitigation code.
    """
    if mitigation is not None and mitigation not in MITIGATIONS:
        raise RiskError(f"Unknown mitigation {mitigation!r}; use one of {', '.join(MITIGATIONS)}.")
    return _band(band) > Band.LOW or mitigation != "ACCEPT"
