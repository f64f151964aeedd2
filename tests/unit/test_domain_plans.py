"""Plan geometry and the briefing version (pure functions, table-tested)."""
from __future__ import annotations

import pytest

from inspect_app.domain.plans import TAP_BOX, Area, PlanError, area, briefing_version, fraction


@pytest.mark.parametrize("value, expected", [(0, 0.0), ("0.5", 0.5), (" 1 ", 1.0), (0.25, 0.25)])
def test_fraction_accepts_positions_on_the_plan(value, expected):
    assert fraction(value, "left") == expected


@pytest.mark.parametrize("value", ["-0.01", "1.01", "nan", "inf", "", None, "left", [1]])
def test_fraction_refuses_anything_off_the_plan(value):
    with pytest.raises(PlanError):
        fraction(value, "left")


@pytest.mark.parametrize("args, expected", [
    ((0.1, 0.2), Area(0.1, 0.2)),
    ((0.1, 0.2, "", ""), Area(0.1, 0.2)),
    ((0.1, 0.2, 0.3, 0.4), Area(0.1, 0.2, 0.3, 0.4)),
    ((0.7, 0.6, 0.3, 0.4), Area(0.7, 0.6, 0.3, 0.4)),
])
def test_area_is_a_point_or_a_rectangle_on_the_plan(args, expected):
    assert area(*args) == expected


@pytest.mark.parametrize("args", [(0.8, 0.2, 0.3, 0.1), (0.1, 0.9, 0.1, 0.2), (0.1, 0.1, 0, 0.2),
                                  (0.1, 0.1, 0.2, None)])
def test_area_refuses_rectangles_off_the_plan_or_without_a_size(args):
    with pytest.raises(PlanError):
        area(*args)


def test_a_point_is_drawn_as_a_small_box_kept_on_the_plan():
    assert Area(0.5, 0.5).box() == pytest.approx((0.5 - TAP_BOX / 2, 0.5 - TAP_BOX / 2, TAP_BOX, TAP_BOX))
    left, top, width, height = Area(0.0, 1.0).box()
    assert left == 0.0 and top + height <= 1.0 and Area(0.0, 1.0).is_point
    assert Area(0.2, 0.2, 0.2, 0.4).centre() == pytest.approx((0.3, 0.4))


BASE = ("a" * 64, [(1, 0.1, 0.1, 0.2, 0.3)], [(7, 0.2, 0.2)])


@pytest.mark.parametrize("changed", [
    ("b" * 64, BASE[1], BASE[2]),                        # a new plan image
    (None, BASE[1], BASE[2]),                            # the plan taken away
    (BASE[0], [(1, 0.1, 0.1, 0.25, 0.3)], BASE[2]),      # a room moved
    (BASE[0], BASE[1], [*BASE[2], (8, None, None)]),     # a new Extreme point
    (BASE[0], BASE[1], []),                              # the Extreme point made safe
    (BASE[0], BASE[1], [(7, 0.3, 0.2)]),                 # its pin moved
])
def test_briefing_version_changes_with_what_the_briefing_shows(changed):
    assert briefing_version(*changed) != briefing_version(*BASE)


def test_briefing_version_ignores_order_and_float_noise():
    reordered = (BASE[0], list(reversed([*BASE[1], (2, 0.5, 0.5, None, None)])), BASE[2])
    assert briefing_version(*reordered) == briefing_version(BASE[0], [*BASE[1], (2, 0.5, 0.5, None, None)], BASE[2])
    assert briefing_version(BASE[0], BASE[1], [(7, 0.2 + 1e-12, 0.2)]) == briefing_version(*BASE)
