"""Risk scoring, banding, tier rules, due dates and the per-trust band policy."""
from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest

from inspect_app.domain.colour import best_text_colour, contrast_ratio, relative_luminance
from inspect_app.domain.risk import (
    CONSEQUENCE_GUIDANCE,
    CONSEQUENCE_LABELS,
    DEFAULT_POLICY,
    LIKELIHOOD_GUIDANCE,
    LIKELIHOOD_LABELS,
    MITIGATIONS,
    Band,
    BandPolicy,
    BandRule,
    PolicyError,
    RiskError,
    Tier,
    due_dates,
    grade,
    interim_required,
    needs_action,
    parse_grade,
    score,
)

L, M, H, E = Band.LOW, Band.MODERATE, Band.HIGH, Band.EXTREME
# The published NPSA bands, written out by score rather than derived from the code.
NPSA = {**dict.fromkeys((1, 2, 3), L), **dict.fromkeys((4, 5, 6), M),
        **dict.fromkeys((8, 9, 10, 12), H), **dict.fromkeys((15, 16, 20, 25), E)}
CELLS = list(product(range(1, 6), repeat=2))


@pytest.mark.parametrize("likelihood, consequence", CELLS)
def test_every_matrix_cell_scores_the_product_and_lands_in_its_npsa_band(likelihood,
                                                                          consequence):
    graded = grade(likelihood, consequence, tier=Tier.T1)
    assert graded.score == score(likelihood, consequence) == likelihood * consequence
    assert graded.calculated_band is graded.band is NPSA[graded.score]
    assert graded.reasons == ()


@pytest.mark.parametrize("likelihood, consequence, word", [
    (0, 3, "Likelihood"), (6, 3, "Likelihood"), (True, 3, "Likelihood"), (2.0, 3, "Likelihood"),
    ("3", 3, "Likelihood"), (None, 3, "Likelihood"), (3, 0, "Consequence"),
    (3, False, "Consequence"), (3, 6, "Consequence"), (3, [5], "Consequence"),
])
def test_score_refuses_anything_but_whole_numbers_one_to_five(likelihood, consequence, word):
    with pytest.raises(RiskError, match=f"^{word} must be a whole number from 1 to 5"):
        score(likelihood, consequence)


# Scores no product can reach (7, 11, 13, 14, 17-19, 21-24) still need a band so that a
# lookup is total; the documented choice is that they join the band below the next product.
TOTAL_RANGES = {L: range(1, 4), M: range(4, 8), H: range(8, 15), E: range(15, 26)}


@pytest.mark.parametrize("band, value", [(band, value) for band, values in TOTAL_RANGES.items()
                                         for value in values])
def test_default_policy_maps_every_integer_score_including_impossible_ones(band, value):
    rule = DEFAULT_POLICY.rule_for_score(value)
    assert rule.band is band and rule.min_score <= value <= rule.max_score
    assert NPSA.get(value, band) is band


@pytest.mark.parametrize("value", [0, 26, -1, True, 2.5])
def test_scores_outside_the_matrix_have_no_band(value):
    with pytest.raises(RiskError, match="between|from 1 to 25"):
        DEFAULT_POLICY.rule_for_score(value)


@pytest.mark.parametrize("likelihood, consequence", CELLS)
@pytest.mark.parametrize("tier", list(Tier))
def test_rules_only_raise_bands_and_low_height_never_lowers_one(likelihood, consequence, tier):
    plain = grade(likelihood, consequence, tier=tier)
    low = grade(likelihood, consequence, tier=tier, low_level=True)
    assert low.band is plain.band and low.calculated_band is plain.calculated_band
    assert plain.band >= plain.calculated_band
    if tier is Tier.T3:
        assert plain.band >= H
    else:
        assert plain.band is plain.calculated_band


@pytest.mark.parametrize("likelihood, consequence, tier, low_level, band, reasons", [
    (1, 2, Tier.T3, False, H, ("Tier 3 room",)),
    (2, 3, "T3", False, H, ("Tier 3 room",)),
    (2, 4, Tier.T3, False, H, ()),
    (5, 5, Tier.T3, False, E, ()),
    (1, 2, Tier.NP, False, L, ()),
    (1, 2, Tier.T2, True, L, ("Low-level point",)),
    (1, 3, Tier.T3, True, H, ("Tier 3 room", "Low-level point")),
    (4, 5, Tier.T1, True, E, ("Low-level point",)),
])
def test_grade_explains_each_rule_that_applied(likelihood, consequence, tier, low_level, band,
                                               reasons):
    graded = grade(likelihood, consequence, tier=tier, low_level=low_level)
    assert graded.band is band
    assert tuple(reason.split(":")[0] for reason in graded.reasons) == reasons
    assert graded.uplifted is (graded.band > graded.calculated_band)


def test_tier3_reason_and_low_level_reason_are_full_sentences_for_the_page():
    graded = grade(1, 1, tier=Tier.T3, low_level=True)
    assert graded.reasons == (
        "Tier 3 room: patients may spend long periods alone, so any ligature point is graded "
        "at least High (CQC tier guidance).",
        "Low-level point: height does not lower the grade; low ligature points are not low "
        "risk (CQC 2023).")


@pytest.mark.parametrize("tier", ["T4", "tier 3", None, ""])
def test_grade_refuses_an_unknown_tier(tier):
    with pytest.raises(RiskError, match="Unknown area tier"):
        grade(3, 3, tier=tier)


@pytest.mark.parametrize("smaller, larger", [(L, M), (M, H), (H, E), (L, E), (L, "high"),
                                             ("moderate", E)])
def test_bands_compare_by_severity_not_spelling(smaller, larger):
    assert smaller < larger and larger > smaller and smaller <= larger and larger >= smaller
    assert max([larger, smaller]) == max([smaller, larger]) == larger
    assert [band.rank for band in sorted([E, L, H, M])] == [0, 1, 2, 3]


@pytest.mark.parametrize("other", [3, "severe", None])
def test_bands_refuse_comparison_with_things_that_are_not_bands(other):
    with pytest.raises(TypeError, match="Cannot compare"):
        assert other > Band.HIGH


@pytest.mark.parametrize("member, value, label, words", [
    (L, "low", "Low", ""), (M, "moderate", "Moderate", ""), (H, "high", "High", ""),
    (E, "extreme", "Extreme", ""), (Tier.T1, "T1", "Tier 1", "not normally left alone"),
    (Tier.T2, "T2", "Tier 2", "little supervision"),
    (Tier.T3, "T3", "Tier 3", "long periods alone"),
    (Tier.NP, "NP", "No patient access", "Staff-only"),
])
def test_bands_and_tiers_store_their_code_and_show_a_label(member, value, label, words):
    assert (member.value, str(member), member.label) == (value, value, label)
    assert words in member.description


@pytest.mark.parametrize("labels, guidance, words", [
    (LIKELIHOOD_LABELS, LIKELIHOOD_GUIDANCE, ["Rare", "Unlikely", "Possible", "Likely",
                                              "Almost certain"]),
    (CONSEQUENCE_LABELS, CONSEQUENCE_GUIDANCE, ["Negligible", "Minor", "Moderate", "Major",
                                                "Catastrophic"]),
])
def test_axis_labels_and_guidance_cover_one_to_five(labels, guidance, words):
    assert list(labels.items()) == list(enumerate(words, start=1))
    assert sorted(guidance) == [1, 2, 3, 4, 5] and all(text.endswith(".") for text in
                                                       guidance.values())


@pytest.mark.parametrize("first, second, ratio", [
    ("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48),
    ("#767676", "#ffffff", 4.54), ("#ff0000", "#ffffff", 4.0),
])
def test_contrast_ratio_matches_published_wcag_figures(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(second, first) == contrast_ratio(first, second)


@pytest.mark.parametrize("band, colour, text", [(L, "#2e7d32", "#ffffff"),
                                                (M, "#f9a825", "#000000"),
                                                (H, "#ef6c00", "#000000"),
                                                (E, "#c62828", "#ffffff")])
def test_default_band_chips_reach_wcag_aa_contrast(band, colour, text):
    rule = DEFAULT_POLICY.rule(band)
    assert (rule.colour, rule.text_colour) == (colour, text)
    assert contrast_ratio(rule.colour, rule.text_colour) >= 4.5


@pytest.mark.parametrize("background", ["#000000", "#ffffff", "#808080", "#7f7f7f", "#0000ff",
                                        "#ffff00", "#00ff00", "#777777"])
def test_chosen_text_colour_always_reaches_aa(background):
    assert contrast_ratio(background, best_text_colour(background)) >= 4.5


@pytest.mark.parametrize("bad", ["red", "#fff", "#gg0000", None, "2e7d32"])
def test_luminance_refuses_colours_not_written_rrggbb(bad):
    with pytest.raises(ValueError, match="#rrggbb"):
        relative_luminance(bad)


def test_policy_round_trips_through_its_json_form():
    data = DEFAULT_POLICY.to_dict()
    assert data["bands"][1] == {"band": "moderate", "min_score": 4, "max_score": 7,
                                "colour": "#f9a825", "text_colour": "#000000",
                                "target_days": 90, "interim_hours": 168}
    assert BandPolicy.from_dict(data) == DEFAULT_POLICY


def _bands(*ranges, **changes):
    """A policy dict with the given (min, max) ranges and per-band overrides."""
    data = DEFAULT_POLICY.to_dict()
    for item, (low, high) in zip(data["bands"], ranges, strict=False):
        item.update(min_score=low, max_score=high)
    for position, override in changes.items():
        data["bands"][int(position[1:])].update(override)
    return data


def test_a_trust_can_store_its_own_bands_and_interim_threshold():
    data = _bands((1, 4), (5, 8), (9, 14), (15, 25), b1={"colour": "#ffeb3b"})
    data["interim_required_from"] = "moderate"
    policy = BandPolicy.from_dict(data)
    assert [policy.rule_for_score(n).band for n in (4, 5, 8, 9)] == [L, M, M, H]
    assert policy.rule(M).text_colour == "#000000"
    assert interim_required(M, policy) and not interim_required(M)


@pytest.mark.parametrize("data, message", [
    (None, 'needs a "bands" list'),
    ({"bands": "low"}, 'needs a "bands" list'),
    (_bands((1, 3), (5, 7), (8, 14), (15, 25)), "Moderate must start at score 4"),
    (_bands((1, 3), (3, 7), (8, 14), (15, 25)), "Moderate must start at score 4"),
    (_bands((2, 3), (4, 7), (8, 14), (15, 25)), "Low must start at score 1"),
    (_bands((1, 3), (4, 7), (8, 14), (15, 24)), "Extreme must end at score 25"),
    (_bands((1, 3), (4, 7), (8, 14), (15, 30)), "Extreme must end at score 25"),
    (_bands((1, 3), (7, 4), (8, 14), (15, 25)), "Moderate: the range starts at 7"),
    ({"bands": DEFAULT_POLICY.to_dict()["bands"][::-1]}, "in order low, moderate"),
    ({"bands": DEFAULT_POLICY.to_dict()["bands"][:3]}, "in order low, moderate"),
    (_bands(b2={"band": "severe"}), "Band 3: 'severe' is not a band"),
    (_bands(b0={"target_days": 0}), "Low: the remediation target"),
    (_bands(b0={"target_days": 1.5}), "Low: the remediation target"),
    (_bands(b2={"interim_hours": -1}), "High: the interim control deadline"),
    (_bands(b2={"interim_hours": True}), "High: the interim control deadline"),
    (_bands(b3={"min_score": "15"}), "Extreme: the score range must be whole numbers"),
    (_bands(b3={"colour": "red"}), "Extreme: colour must be written #rrggbb"),
    (_bands(b0={"text_colour": "#000000"}), r"Low: text #000000 on #2e7d32 has contrast 4\.10:1"),
    (_bands(b0={"text_colour": "white"}), "Low: text colour must be written #rrggbb"),
    (_bands(b1={"extra": 1}), "Moderate: unknown extra"),
    ({"bands": [{"band": "low"}] + DEFAULT_POLICY.to_dict()["bands"][1:]},
     "Low: missing min_score, max_score, colour, target_days, interim_hours"),
    ({"bands": ["low"]}, "Band 1 must be an object"),
    ({**DEFAULT_POLICY.to_dict(), "interim_required_from": "sometimes"}, "interim_required_from"),
])
def test_unusable_policies_are_refused_with_a_message_saying_what_to_fix(data, message):
    with pytest.raises(PolicyError, match=message):
        BandPolicy.from_dict(data)


def test_band_rule_refuses_a_value_that_is_not_a_band():
    with pytest.raises(PolicyError, match="'low' is not a band"):
        BandRule("low", 1, 3, "#2e7d32", target_days=365, interim_hours=None)


NOON = datetime(2024, 2, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("band, identified_at, target, interim_by", [
    (L, NOON, date(2025, 2, 27), None),
    (M, NOON, date(2024, 5, 28), NOON + timedelta(days=7)),
    (H, datetime(2024, 2, 28, 23, 30, tzinfo=UTC), date(2024, 3, 29),
     datetime(2024, 2, 29, 23, 30, tzinfo=UTC)),
    (E, NOON, date(2024, 3, 6), NOON),
    ("extreme", datetime(2024, 12, 30, 9, 0), date(2025, 1, 6), datetime(2024, 12, 30, 9, 0)),
])
def test_due_dates_count_from_identification(band, identified_at, target, interim_by):
    due = due_dates(band, identified_at=identified_at)
    assert (due.target, due.interim_by) == (target, interim_by)


@pytest.mark.parametrize("band, default, high_opted_out", [(L, False, False),
                                                           (M, False, False),
                                                           (H, True, False), (E, True, True)])
def test_interim_control_is_required_from_high_unless_the_policy_says_otherwise(
        band, default, high_opted_out):
    policy = BandPolicy.from_dict(_bands(b2={"interim_hours": None}))
    assert interim_required(band) is default
    assert interim_required(band, policy) is high_opted_out


def test_mitigations_are_listed_in_preference_order_with_the_agreed_labels():
    assert list(MITIGATIONS) == ["REMOVE", "REPLACE", "MODIFY", "RESTRICT", "DETECT",
                                 "OBSERVE", "ACCEPT", "CAPITAL"]
    assert [MITIGATIONS[code] for code in ("OBSERVE", "ACCEPT", "CAPITAL")] == [
        "Observation (interim control only)", "Accept with documented controls",
        "Capital scheme (interim control mandatory)"]


@pytest.mark.parametrize("band, mitigation, expected", [
    (L, "ACCEPT", False), (L, None, True), (L, "REMOVE", True), (L, "OBSERVE", True),
    ("low", "ACCEPT", False), (M, "ACCEPT", True), (H, "ACCEPT", True), (E, "ACCEPT", True),
    (E, None, True),
])
def test_only_an_accepted_low_point_needs_no_action(band, mitigation, expected):
    assert needs_action(band, mitigation) is expected


@pytest.mark.parametrize("call, message", [
    (lambda: needs_action(L, "IGNORE"), "Unknown mitigation 'IGNORE'"),
    (lambda: needs_action("severe", None), "Unknown risk band 'severe'"),
    (lambda: due_dates("red", identified_at=NOON), "Unknown risk band 'red'"),
    (lambda: interim_required("amber"), "Unknown risk band 'amber'"),
])
def test_unknown_codes_are_refused_with_the_code_named(call, message):
    with pytest.raises(RiskError, match=message):
        call()


@pytest.mark.parametrize("raw, expected", [
    (None, None), ("", None), ("4x5", (4, 5)), ("1X1", (1, 1)), (" 3 x 2 ", (3, 2)),
    ("9x9", (9, 9)),  # the scale is score()'s check, when the point is graded
])
def test_parse_grade_reads_a_grid_cell(raw, expected):
    assert parse_grade(raw) == expected


@pytest.mark.parametrize("raw", ["4", "4x5x1", "fourxfive", "x", "4;5"])
def test_parse_grade_refuses_anything_but_two_numbers(raw):
    with pytest.raises(RiskError, match="likelihood x consequence, for example 4x5"):
        parse_grade(raw)
