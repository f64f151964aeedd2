"""Comparing checklist library versions: added, removed, reworded, re-tiered, no-op, wards touched."""
import pytest

from inspect_app.domain.library_changes import ItemFacts, compare, ward_affected

BASE = (ItemFacts("BED-01", "BED", "Doors", "Door top?", "Check the top.", "T3"),
        ItemFacts("BED-02", "BED", "Doors", "Hinges?", None, "T3"),
        ItemFacts("LNG-01", "LNG", "Furniture", "Chairs?", None, "T2"))


def _with(code, **changes):
    return tuple(ItemFacts(**{**item.__dict__, **changes}) if item.code == code else item for item in BASE)


@pytest.mark.parametrize("new, expected", [
    (BASE, dict(added=(), removed=(), reworded=(), retiered=(), changed=())),
    (BASE + (ItemFacts("BED-03", "BED", "Doors", "New?"),), dict(added=("BED-03",))),
    (BASE[1:], dict(removed=("BED-01",))),
    (_with("BED-02", prompt="Are the hinges continuous?"), dict(reworded=("BED-02",))),
    (_with("BED-02", guidance="New guidance"), dict(reworded=("BED-02",))),
    (_with("LNG-01", tier="T3"), dict(retiered=("LNG-01",))),
    (_with("LNG-01", kind="check", priority="high"), dict(changed=("LNG-01",))),
    (_with("BED-01", prompt="Reworded", tier="T2"), dict(reworded=("BED-01",), retiered=("BED-01",))),
])
def test_compare_sorts_each_change_by_kind(new, expected):
    changes = compare(BASE, new)
    for name, codes in expected.items():
        assert getattr(changes, name) == codes
    assert changes.is_noop == (not any(expected.values()))


def test_blank_guidance_and_none_are_the_same_content():
    assert compare(BASE, _with("BED-02", guidance="")).is_noop


@pytest.mark.parametrize("new, area_codes, group, affected", [
    (_with("BED-02", prompt="x"), {"BED", "ENS"}, "acute", True),
    (_with("BED-02", prompt="x"), {"LNG"}, "acute", False),  # no bedrooms: untouched
    (BASE + (ItemFacts("BED-OA1", "BED", "Beds", "Profiling bed?", groups=("older_adult",)),), {"BED"}, "acute",
     False),  # an older-adult item does not reach an acute ward
    (BASE + (ItemFacts("BED-OA1", "BED", "Beds", "Profiling bed?", groups=("older_adult",)),), {"BED"},
     "older_adult", True),
    (BASE, {"BED", "LNG"}, "acute", False),
])
def test_a_ward_is_affected_only_by_changes_to_its_rooms_and_patient_group(new, area_codes, group, affected):
    assert ward_affected(compare(BASE, new), area_codes=area_codes, patient_group=group) is affected
