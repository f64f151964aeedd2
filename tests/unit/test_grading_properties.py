"""Property: whatever happens to a load-bearing point in a Tier 2 or 3 room (grades, re-grades,
residual grades, acceptances, in any order and at any time) its band never falls below the
policy's floor, and a band rise never makes a deadline later."""
from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_app.domain.bands import Band, RiskError
from inspect_app.domain.grading import (
    PATIENT_GROUPS,
    Context,
    GradingPolicy,
    LoadBearing,
    Observation,
    check_residual,
    floor,
    grade_point,
    rebased_deadlines,
)
from inspect_app.domain.risk import due_dates

axis = st.integers(min_value=1, max_value=5)
ops = st.lists(st.tuples(st.sampled_from(["grade", "regrade", "residual", "accept"]), axis, axis,
                         st.integers(min_value=0, max_value=400)), min_size=1, max_size=25)
contexts = st.builds(Context, tier=st.sampled_from(["T2", "T3"]),
                     load_bearing=st.sampled_from([LoadBearing.FULL, LoadBearing.PARTIAL, None]),
                     low_level=st.booleans(), patient_group=st.sampled_from(PATIENT_GROUPS),
                     observation=st.sampled_from([None] + [o.value for o in Observation]))
bands = st.sampled_from(list(Band))
policies = st.builds(GradingPolicy, tier_floors=st.fixed_dictionaries({"T2": bands, "T3": bands}),
                     patient_group_floors=st.dictionaries(st.sampled_from(PATIENT_GROUPS), bands, max_size=3))


@settings(max_examples=300, deadline=None)
@given(context=contexts, steps=ops, policy=policies)
def test_floor_holds_and_deadlines_never_lengthen_after_a_rise(context, steps, policy):
    minimum = floor(context, policy)[0]
    assert minimum is not None and minimum >= policy.tier_floors[context.tier]
    now = datetime(2026, 1, 1, 8, 0)
    band = original_consequence = target = interim_by = None
    for kind, likelihood, consequence, hours_later in steps:
        now += timedelta(hours=hours_later)
        if kind in ("residual", "accept"):
            if band is None:
                continue
            try:
                check_residual(original_consequence, consequence)
            except RiskError:
                continue  # refused: nothing changes
        else:
            original_consequence = consequence
        new = grade_point(likelihood, consequence, context, policy=policy).band
        assert new >= minimum, (kind, likelihood, consequence, new, minimum)
        if band is None:
            due = due_dates(new, identified_at=now)
            target, interim_by = due.target, due.interim_by
        elif new > band:
            due = rebased_deadlines(new, target=target, interim_by=interim_by, now=now)
            assert due.target <= target
            if interim_by is not None:
                assert due.interim_by is not None and due.interim_by <= interim_by
            target, interim_by = due.target, due.interim_by
        band = new
