"""Risk bands and a trust's band policy (score ranges, chip colours, deadlines).

Trusts adapt the NPSA matrix locally, so the bands are data: a :class:`BandPolicy` is built
from the trust's stored JSON and validated here, once, so that every later lookup is total.
``risk.py`` re-exports these names; import them from there.
"""
from __future__ import annotations

from dataclasses import dataclass

from .colour import AA_NORMAL_TEXT, best_text_colour, contrast_ratio, is_hex_colour
from .labelled import LabelledEnum


class RiskError(ValueError):
    """A likelihood, consequence, score, tier or mitigation that cannot be graded."""


class PolicyError(ValueError):
    """A trust's band policy that cannot be used; the message says what to fix."""


class Band(LabelledEnum):
    """Risk band. Bands compare by severity (``Band.LOW < Band.HIGH``), not alphabetically."""

    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    EXTREME = "extreme", "Extreme"

    @property
    def rank(self) -> int:
        """0 for Low up to 3 for Extreme."""
        return _BAND_ORDER.index(self)

    # str's own ordering would put "extreme" below "high". A plain string is read as a band
    # (so Band.LOW < "high" holds); anything else is refused rather than compared by spelling.
    def _other_rank(self, other: object) -> int:
        if isinstance(other, Band):
            return other.rank
        if isinstance(other, str) and other in _BAND_VALUES:
            return Band(other).rank
        raise TypeError(f"Cannot compare the {self.label} band with {other!r}.")

    def __lt__(self, other: object) -> bool:
        return self.rank < self._other_rank(other)

    def __le__(self, other: object) -> bool:
        return self.rank <= self._other_rank(other)

    def __gt__(self, other: object) -> bool:
        return self.rank > self._other_rank(other)

    def __ge__(self, other: object) -> bool:
        return self.rank >= self._other_rank(other)


_BAND_ORDER = tuple(Band)
_BAND_VALUES = frozenset(band.value for band in Band)
_BAND_CODES = ", ".join(band.value for band in Band)
_RULE_KEYS = ("band", "min_score", "max_score", "colour", "text_colour", "target_days",
              "interim_hours")


def _whole(value: object) -> bool:
    # JSON true/false arrive as bool, which is an int subclass; refuse them as numbers.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class BandRule:
    """One band of a policy: its score range, chip colours and deadlines.

    ``text_colour`` defaults to black or white, whichever reads better on ``colour``; an
    explicit value must reach WCAG AA (4.5:1) or the rule is refused.
    """

    band: Band
    min_score: int
    max_score: int
    colour: str
    target_days: int
    interim_hours: int | None
    text_colour: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.band, Band):
            raise PolicyError(f"{self.band!r} is not a band; use one of {_BAND_CODES}.")
        name = self.band.label
        if not (_whole(self.min_score) and _whole(self.max_score)):
            raise PolicyError(f"{name}: the score range must be whole numbers.")
        if self.min_score > self.max_score:
            raise PolicyError(f"{name}: the range starts at {self.min_score}, "
                              f"above where it ends ({self.max_score}).")
        if not _whole(self.target_days) or self.target_days <= 0:
            raise PolicyError(f"{name}: the remediation target must be a whole number of days "
                              "greater than 0.")
        if self.interim_hours is not None and (not _whole(self.interim_hours)
                                               or self.interim_hours < 0):
            raise PolicyError(f"{name}: the interim control deadline must be empty or a whole "
                              "number of hours, 0 or more.")
        if not is_hex_colour(self.colour):
            raise PolicyError(f"{name}: colour must be written #rrggbb, not {self.colour!r}.")
        if self.text_colour is None:
            object.__setattr__(self, "text_colour", best_text_colour(self.colour))
        elif not is_hex_colour(self.text_colour):
            raise PolicyError(f"{name}: text colour must be written #rrggbb, "
                              f"not {self.text_colour!r}.")
        elif (ratio := contrast_ratio(self.colour, self.text_colour)) < AA_NORMAL_TEXT:
            raise PolicyError(f"{name}: text {self.text_colour} on {self.colour} has contrast "
                              f"{ratio:.2f}:1; WCAG AA needs at least {AA_NORMAL_TEXT}:1.")


@dataclass(frozen=True)
class BandPolicy:
    """Four rules, one per band in order of severity, covering scores 1-25 with no gap or overlap.

    ``interim_required_from`` is the lowest band that must have an interim control before
    permanent work is ordered: High by default, because domain.md section 6.2 asks for one
    within 24 hours for High and immediately for Extreme, but only "if needed" for Moderate.
    """

    rules: tuple[BandRule, ...]
    interim_required_from: Band = Band.HIGH

    def __post_init__(self) -> None:
        rules = tuple(self.rules)
        object.__setattr__(self, "rules", rules)
        if tuple(rule.band for rule in rules) != _BAND_ORDER:
            raise PolicyError(f"List the bands in order {_BAND_CODES}, each exactly once.")
        expected_start = 1
        for rule in rules:
            if rule.min_score != expected_start:
                raise PolicyError(
                    f"{rule.band.label} must start at score {expected_start}, straight after the "
                    f"band below it; it starts at {rule.min_score} (bands may not leave gaps "
                    "or overlap).")
            expected_start = rule.max_score + 1
        if expected_start != 26:
            raise PolicyError(f"Extreme must end at score 25, not {expected_start - 1}.")
        if not isinstance(self.interim_required_from, Band):
            raise PolicyError(f"interim_required_from must be one of {_BAND_CODES}.")

    def rule_for_score(self, value: int) -> BandRule:
        """The rule whose range holds ``value``.

        :param value: a matrix score, 1 to 25.
        :raises RiskError: when the score is outside 1-25.
        """
        for rule in self.rules:
            if _whole(value) and rule.min_score <= value <= rule.max_score:
                return rule
        raise RiskError(f"A risk score must be a whole number from 1 to 25, not {value!r}.")

    def rule(self, band: Band | str) -> BandRule:
        """The rule for ``band``.

        :param band: a :class:`Band` or its stored value.
        """
        return self.rules[Band(band).rank]

    @classmethod
    def from_dict(cls, data: object) -> BandPolicy:
        """Build a policy from a trust's stored JSON (the shape :meth:`to_dict` writes).

        :param data: ``{"interim_required_from": "high", "bands": [{"band": "low",
            "min_score": 1, "max_score": 3, "colour": "#2e7d32", "text_colour": "#ffffff",
            "target_days": 365, "interim_hours": null}, ...]}``; ``text_colour`` and
            ``interim_required_from`` may be left out.
        :raises PolicyError: naming the first problem found.
        """
        if not isinstance(data, dict) or not isinstance(data.get("bands"), list):
            raise PolicyError("A band policy needs a \"bands\" list.")
        rules = []
        for position, item in enumerate(data["bands"], start=1):
            if not isinstance(item, dict):
                raise PolicyError(f"Band {position} must be an object.")
            try:
                band = Band(item.get("band"))
            except ValueError:
                raise PolicyError(f"Band {position}: {item.get('band')!r} is not a band; use one "
                                  f"of {_BAND_CODES}.") from None
            missing = [key for key in _RULE_KEYS if key not in item and key != "text_colour"]
            unknown = sorted(set(item) - set(_RULE_KEYS))
            if missing or unknown:
                raise PolicyError(f"{band.label}: " + "; ".join(
                    part for part in (missing and "missing " + ", ".join(missing),
                                      unknown and "unknown " + ", ".join(unknown)) if part) + ".")
            rules.append(BandRule(**{**item, "band": band}))
        try:
            start = Band(data.get("interim_required_from", Band.HIGH.value))
        except ValueError:
            raise PolicyError(f"interim_required_from must be one of {_BAND_CODES}.") from None
        return cls(rules=tuple(rules), interim_required_from=start)

    def to_dict(self) -> dict:
        """A JSON-ready dict that :meth:`from_dict` reads back to an equal policy."""
        return {
            "interim_required_from": self.interim_required_from.value,
            "bands": [{key: getattr(rule, key) for key in _RULE_KEYS} | {"band": rule.band.value}
                      for rule in self.rules],
        }


# NPSA scores are products of 1-5, so 7, 11, 13 and 14 never occur. The bands are still
# stored as closed ranges covering every integer 1-25 so that a lookup can never fall into a
# gap: Moderate is 4-7 and High 8-14 (each unused score joins the band below it), which gives
# the published 4-6 / 8-12 bands for every score that can actually happen.
DEFAULT_POLICY = BandPolicy(rules=(
    BandRule(Band.LOW, 1, 3, "#2e7d32", target_days=365, interim_hours=None),
    BandRule(Band.MODERATE, 4, 7, "#f9a825", target_days=90, interim_hours=168),
    BandRule(Band.HIGH, 8, 14, "#ef6c00", target_days=30, interim_hours=24),
    BandRule(Band.EXTREME, 15, 25, "#c62828", target_days=7, interim_hours=0),
))
