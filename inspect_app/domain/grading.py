"""Clinical grading rules on top of the 5x5 matrix: load-bearing, floors, residual grades, deadlines.

The matrix (``risk.grade``) says how likely and how bad; these rules say what a clinician would
sign. A point that can bear a ligature has a Catastrophic consequence unless the inspector says
why not; the room's tier, its observation arrangement and the ward's patient group set a minimum
band for a load-bearing point; a residual grade may lower the likelihood only; a band rise never
lengthens a deadline. Every default lives in :class:`GradingPolicy` (sources in
docs/decisions.md), which a trust overrides with ``flask --app wsgi grading set``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType

from .bands import DEFAULT_POLICY, Band, BandPolicy, PolicyError, RiskError
from .labelled import LabelledEnum
from .risk import DueDates, Grade, Tier, due_dates
from .risk import grade as matrix_grade


class LoadBearing(LabelledEnum):
    """Can the point bear a ligature? About half of hangings are not fully suspended
    (Bennewith 2005; Gunnell 2005), so partial suspension counts as load-bearing."""

    FULL = "full", "Yes: it could bear a fully suspended ligature"
    PARTIAL = "partial", "Yes: partial suspension (kneeling, sitting or lying; any height)"
    NONE = "none", "No: it cannot bear a ligature (say why)"

    @property
    def bears(self) -> bool:
        return self is not LoadBearing.NONE


class Observation(LabelledEnum):
    """How a room is observed, a room attribute (CQC built-environment themes; NCISH)."""

    EYESIGHT = "eyesight", "Within eyesight of staff at all times"
    INTERMITTENT = "intermittent", "Intermittent observation"
    UNOBSERVED = "unobserved", "Unobserved (patients may be alone, e.g. door closed)"


class InterimKind(LabelledEnum):
    """What an interim control is. General observation or "vigilance" is not one of them."""

    ACCESS_REMOVED = "access_removed", "Patient access removed / room closed"
    ENHANCED_OBSERVATION = "enhanced_observation", "Enhanced observation at a stated level"
    FIXTURE_REMOVED = "fixture_removed", "Fixture removed or temporarily replaced"
    TEMPORARY_COVER = "temporary_cover", "Temporary cover fitted"
    OTHER = "other", "Other (describe it)"


class ObservationLevel(LabelledEnum):
    """Observation levels that count as an enhanced-observation interim control."""

    EYESIGHT = "within_eyesight", "Within eyesight (continuous)"
    ARMS_LENGTH = "arms_length", "Within arm's length"
    TWO_TO_ONE = "two_to_one", "Two or more staff to one patient"


PATIENT_GROUPS = ("acute", "picu", "older_adult", "learning_disability", "camhs", "rehabilitation",
                  "forensic", "eating_disorder", "perinatal")
_TIERS = tuple(tier.value for tier in Tier)
_OBSERVATIONS = tuple(o.value for o in Observation)
# Words that make an "other" control a plea for vigilance rather than a change to the environment.
_VIGILANCE = ("vigilan", "aware", "keep an eye", "observ", "monitor", "check regularly", "regular checks",
              "be alert", "extra care", "supervis")


def _frozen(mapping: Mapping[str, Band]) -> Mapping[str, Band]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class GradingPolicy:
    """A trust's clinical grading rules. Floors apply to load-bearing points only.

    :param tier_floors: minimum band of a load-bearing point by room tier.
    :param low_level_floors: minimum band by tier when the point is flagged low-level or bears
        partial suspension (low points are not low risk, CQC 2023).
    :param patient_group_floors: minimum band by the ward's patient group.
    :param observation_floors: minimum band by the room's observation arrangement.
    :param interim_review_days: longest interval to an interim control's review, by band.
    :param acceptance_review_days: longest interval to an accepted risk's review, by band.
    :param two_person_from: the lowest band whose acceptance needs a risk approver.
    :param target_likelihood: the likelihood the target grade assumes once remediated.
    :param incident_likelihood: the least likelihood of a point where a ligature incident happened
        ("it has happened here", :func:`inspect_app.domain.incidents.likelihood_after_incident`).
    """

    tier_floors: Mapping[str, Band] = field(default_factory=lambda: _frozen(
        {"T2": Band.HIGH, "T3": Band.HIGH}))
    low_level_floors: Mapping[str, Band] = field(default_factory=lambda: _frozen(
        {"T1": Band.MODERATE, "T2": Band.HIGH, "T3": Band.HIGH}))
    patient_group_floors: Mapping[str, Band] = field(default_factory=lambda: _frozen(
        {"camhs": Band.HIGH, "picu": Band.HIGH}))
    observation_floors: Mapping[str, Band] = field(default_factory=lambda: _frozen(
        {"intermittent": Band.HIGH, "unobserved": Band.HIGH}))
    interim_review_days: Mapping[str, int] = field(default_factory=lambda: MappingProxyType(
        {"extreme": 7, "high": 14}))
    acceptance_review_days: Mapping[str, int] = field(default_factory=lambda: MappingProxyType(
        {"extreme": 31, "high": 92}))
    two_person_from: Band = Band.HIGH
    target_likelihood: int = 1
    incident_likelihood: int = 4

    def __post_init__(self) -> None:
        for name, keys in (("tier_floors", _TIERS), ("low_level_floors", _TIERS),
                           ("patient_group_floors", PATIENT_GROUPS), ("observation_floors", _OBSERVATIONS)):
            raw = getattr(self, name)
            if not isinstance(raw, Mapping):
                raise PolicyError(f"{name} must map names to bands.")
            clean = {}
            for key, value in raw.items():
                if key not in keys:
                    raise PolicyError(f"{name}: {key!r} is not one of {', '.join(keys)}.")
                try:
                    clean[key] = Band(value)
                except ValueError:
                    raise PolicyError(f"{name}: {value!r} is not a band.") from None
            object.__setattr__(self, name, _frozen(clean))
        for name in ("interim_review_days", "acceptance_review_days"):
            raw = getattr(self, name)
            if not isinstance(raw, Mapping):
                raise PolicyError(f"{name} must map bands to days.")
            for key, value in raw.items():
                if key not in {b.value for b in Band}:
                    raise PolicyError(f"{name}: {key!r} is not a band.")
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise PolicyError(f"{name}: {key} must be a whole number of days, 1 or more.")
            object.__setattr__(self, name, MappingProxyType(dict(raw)))
        try:
            object.__setattr__(self, "two_person_from", Band(self.two_person_from))
        except ValueError:
            raise PolicyError("two_person_from must be a band.") from None
        self._check_likelihoods()

    def _check_likelihoods(self) -> None:
        for name in ("target_likelihood", "incident_likelihood"):
            value = getattr(self, name)
            if value not in (1, 2, 3, 4, 5) or isinstance(value, bool):
                raise PolicyError(f"{name} must be a whole number from 1 to 5.")

    @classmethod
    def from_dict(cls, data: object) -> GradingPolicy:
        """Build from stored JSON (:meth:`to_dict`'s shape); keys left out keep their default.

        :param data: the parsed JSON object.

        :raises PolicyError: naming the first problem.
        """
        if not isinstance(data, dict):
            raise PolicyError("A grading policy must be a JSON object.")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise PolicyError(f"Unknown grading policy key(s): {', '.join(unknown)}.")
        return cls(**data)

    def to_dict(self) -> dict:
        return {
            "tier_floors": {k: v.value for k, v in self.tier_floors.items()},
            "low_level_floors": {k: v.value for k, v in self.low_level_floors.items()},
            "patient_group_floors": {k: v.value for k, v in self.patient_group_floors.items()},
            "observation_floors": {k: v.value for k, v in self.observation_floors.items()},
            "interim_review_days": dict(self.interim_review_days),
            "acceptance_review_days": dict(self.acceptance_review_days),
            "two_person_from": self.two_person_from.value,
            "target_likelihood": self.target_likelihood,
            "incident_likelihood": self.incident_likelihood,
        }


DEFAULT_GRADING = GradingPolicy()

CONSEQUENCE_REASON_NEEDED = ("A point that can bear a ligature is graded Catastrophic (5): death is "
                             "plausible from full or partial suspension. Say why you chose a lower consequence.")


def load_bearing_value(value: object) -> LoadBearing | None:
    """A stored or submitted answer as :class:`LoadBearing`; None when not answered.

    :param value: a :class:`LoadBearing` value, or None / "".

    :raises RiskError: for an answer that is not one of the choices.
    """
    if value in (None, ""):
        return None
    try:
        return LoadBearing(value)
    except ValueError:
        raise RiskError("Say whether the point can bear a ligature: fully suspended, partially "
                        "suspended, or not load-bearing.") from None


def check_load_bearing(load_bearing: LoadBearing | None, consequence: int | None, *,
                       load_bearing_reason: str | None, consequence_reason: str | None) -> None:
    """Refuse a grade a clinician would not sign.

    :param load_bearing: the inspector's answer; None (not answered: a point recorded before the
        question existed, or by an older device) is graded as load-bearing by :func:`floor`.
    :param consequence: the consequence picked, or None when not grading yet.
    :raises RiskError: not-load-bearing without a reason, or a load-bearing point below
        Catastrophic without a reason.
    """
    if consequence is None or load_bearing is None:
        return
    if load_bearing is LoadBearing.NONE and not (load_bearing_reason or "").strip():
        raise RiskError("Say why the point cannot bear a ligature (for example: collapses under 2 kg).")
    if load_bearing.bears and consequence < 5 and not (consequence_reason or "").strip():
        raise RiskError(CONSEQUENCE_REASON_NEEDED)


@dataclass(frozen=True)
class Context:
    """What, besides L and C, decides a point's minimum band."""

    tier: str
    load_bearing: LoadBearing | None = None
    low_level: bool = False
    patient_group: str | None = None
    observation: str | None = None


def floor(context: Context, policy: GradingPolicy = DEFAULT_GRADING) -> tuple[Band | None, tuple[str, ...]]:
    """The minimum band for a point and a sentence for every rule that sets one.

    A point whose load-bearing is not recorded yet is treated as load-bearing: failing safe.
    A point that cannot bear a ligature has no floor.

    :param context: the point's tier, load-bearing answer, low-level flag, patient group, observation.
    :param policy: the trust's grading rules.
    """
    bears = context.load_bearing is None or context.load_bearing.bears
    if not bears:
        return None, ()
    found: list[tuple[Band, str]] = []
    tier = Tier(context.tier)
    if (band := policy.tier_floors.get(tier.value)) is not None:
        found.append((band, f"Load-bearing point in a {tier.label} room: at least {band.label} "
                            "(CQC tier guidance; trust grading policy)."))
    partial = context.low_level or context.load_bearing is LoadBearing.PARTIAL
    if partial and (band := policy.low_level_floors.get(tier.value)) is not None:
        found.append((band, f"Low-level or partial-suspension point in a {tier.label} room: at least "
                            f"{band.label}; about half of hangings are not fully suspended "
                            "(Bennewith 2005; CQC 2023)."))
    group = context.patient_group
    if group and (band := policy.patient_group_floors.get(group)) is not None:
        found.append((band, f"Ward's patient group ({group.replace('_', ' ')}): at least {band.label} "
                            "(trust grading policy)."))
    seen = context.observation
    if seen and (band := policy.observation_floors.get(seen)) is not None:
        found.append((band, f"Room observed: {Observation(seen).label.lower()}: at least {band.label} "
                            "(NCISH: most inpatient hangings under intermittent observation)."))
    if context.load_bearing is None and found:
        found.append((found[0][0], "Load-bearing not recorded yet: graded as load-bearing until it is."))
    if not found:
        return None, ()
    return max(band for band, _ in found), tuple(text for _, text in found)


def grade_point(likelihood: int, consequence: int, context: Context, *,
                bands: BandPolicy = DEFAULT_POLICY, policy: GradingPolicy = DEFAULT_GRADING) -> Grade:
    """The matrix grade raised to the point's floor; ``reasons`` keeps every rule that applied.

    :param likelihood: 1 to 5.
    :param consequence: 1 to 5.
    :param context: what decides the floor (see :func:`floor`).
    :param bands: the trust's band policy.
    :param policy: the trust's grading rules.

    :raises RiskError: for an invalid likelihood, consequence or tier.
    """
    base = matrix_grade(likelihood, consequence, tier=context.tier, low_level=context.low_level, policy=bands)
    minimum, reasons = floor(context, policy)
    band = base.band
    if minimum is not None and band < minimum:
        band = minimum
    return Grade(base.likelihood, base.consequence, base.score, base.calculated_band, band,
                 base.reasons + reasons)


def check_residual(original_consequence: int | None, residual_consequence: int) -> None:
    """Controls change how likely a hanging is, not how bad it would be.

    :param original_consequence: the consequence of the point's latest non-residual grade.
    :param residual_consequence: the consequence proposed for the residual grade.

    :raises RiskError: when the residual consequence is below the original.
    """
    if original_consequence is not None and residual_consequence < original_consequence:
        raise RiskError(f"A residual grade lowers the likelihood only: controls do not change the "
                        f"consequence of a hanging. Keep the consequence at {original_consequence} or above.")


def rebased_deadlines(new_band: Band | str, *, target: date, interim_by: datetime | None, now: datetime,
                      bands: BandPolicy = DEFAULT_POLICY) -> DueDates:
    """Deadlines after a band rise: the new band's, counted from ``now``, never later than before.

    :param target: the current remediation target date.
    :param interim_by: the current interim deadline, if any.
    """
    fresh = due_dates(new_band, identified_at=now, policy=bands)
    new_interim = fresh.interim_by
    if interim_by is not None:
        new_interim = interim_by if new_interim is None else min(interim_by, new_interim)
    return DueDates(min(target, fresh.target), new_interim)


def _cap(days: Mapping[str, int], band: Band | str) -> int | None:
    return days.get(Band(band).value)


def check_interim_control(kind: InterimKind | str | None, details: str | None, level: str | None, *,
                          band: Band | str | None, review_date: date | None, today: date,
                          policy: GradingPolicy = DEFAULT_GRADING) -> InterimKind:
    """Refuse an interim control CQC would not accept for the band.

    :param kind: the control's type.
    :param details: what was done (required for "other").
    :param level: the observation level, required for enhanced observation.
    :param band: the action's band (None: ungraded, treated as Extreme).
    :param review_date: when the control is reviewed; capped by band.
    :raises RiskError: with a message for the user.
    """
    try:
        kind = InterimKind(kind)
    except ValueError:
        raise RiskError("Choose the type of interim control from the list.") from None
    serious = band is None or Band(band) >= Band.HIGH
    text = (details or "").strip()
    if kind is InterimKind.OTHER and not text:
        raise RiskError("Describe the interim control.")
    if kind is InterimKind.ENHANCED_OBSERVATION:
        try:
            ObservationLevel(level)
        except ValueError:
            raise RiskError("State the observation level (within eyesight, within arm's length, or "
                            "two or more staff to one patient); general observation is not a control.") from None
    if serious and kind is InterimKind.OTHER and any(word in text.lower() for word in _VIGILANCE):
        raise RiskError("Staff vigilance or general observation alone is not an interim control for a High or "
                        "Extreme point: close the room, remove or cover the fixture, or set enhanced "
                        "observation at a stated level.")
    cap = _cap(policy.interim_review_days, band or Band.EXTREME)
    if review_date is not None and cap is not None and review_date > today + timedelta(days=cap):
        raise RiskError(f"Review the interim control within {cap} days for this band "
                        f"(by {(today + timedelta(days=cap)).isoformat()}).")
    return kind


def interim_expired(review_date: date | None, today: date) -> bool:
    """True when an interim control's review date has passed.

    :param review_date: the control's review date (None: no control recorded).
    :param today: the caller's date.
    """
    return review_date is not None and review_date < today


def needs_approver(band: Band | str, policy: GradingPolicy = DEFAULT_GRADING) -> bool:
    """True when accepting a risk of this band needs a second person, a risk approver.

    :param band: the action's band.
    :param policy: the trust's grading rules.
    """
    return Band(band) >= policy.two_person_from


def check_acceptance_review(band: Band | str, review_date: date, *, today: date,
                            policy: GradingPolicy = DEFAULT_GRADING) -> None:
    """An accepted risk is reviewed within the band's interval.

    :param band: the band of the risk being accepted.
    :param review_date: the proposed review date.
    :param today: the caller's date.
    :param policy: the trust's grading rules.

    :raises RiskError: when the review date is further away than the cap.
    """
    cap = _cap(policy.acceptance_review_days, band)
    if cap is not None and review_date > today + timedelta(days=cap):
        raise RiskError(f"An accepted {Band(band).label} risk is reviewed within {cap} days "
                        f"(by {(today + timedelta(days=cap)).isoformat()}).")


def target_grade(consequence: int, *, bands: BandPolicy = DEFAULT_POLICY,
                 policy: GradingPolicy = DEFAULT_GRADING) -> tuple[int, int, int, Band]:
    """The grade remediation aims for: likelihood lowered, consequence kept.

    :param consequence: the point's consequence (controls do not change it).
    :param bands: the trust's band policy.
    :param policy: the trust's grading rules (``target_likelihood``).

    :returns: (likelihood, consequence, score, matrix band).
    """
    likelihood = policy.target_likelihood
    value = likelihood * consequence
    return likelihood, consequence, value, bands.rule_for_score(value).band
