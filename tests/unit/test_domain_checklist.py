"""Checklist answers, room progress, sign-off blockers and the walk-round order."""
from collections import namedtuple

import pytest

from inspect_app.domain.checklist import (
    Answer,
    CarryForwardOutcome,
    ChecklistError,
    InspectionType,
    RoomProgress,
    RoomState,
    RoomSummary,
    answer_for_point,
    carry_forward_outcomes,
    next_unfinished,
    room_progress,
    signoff_blockers,
)

NS, IP, DONE, NA = (RoomState.NOT_STARTED, RoomState.IN_PROGRESS, RoomState.COMPLETE,
                    RoomState.NOT_ACCESSIBLE)
ITEMS = ("DOOR-01", "WIN-01", "BED-01")


@pytest.mark.parametrize("answer, value, label, is_point", [
    (Answer.OK, "compliant", "Compliant", False),
    (Answer.LP, "ligature_point", "Ligature point", True),
    (Answer.CTRL, "ligature_point_controlled", "Ligature point with existing controls", True),
    (Answer.NA, "not_applicable", "Not applicable", False),
])
def test_answers_say_whether_a_ligature_point_was_found(answer, value, label, is_point):
    assert (answer.value, answer.label, answer.is_ligature_point) == (value, label, is_point)


@pytest.mark.parametrize("kind, value, label", [
    (InspectionType.ANNUAL, "annual", "Annual ligature assessment"),
    (InspectionType.REASSESSMENT, "reassessment",
     "Re-assessment after an incident or building works"),
    (InspectionType.ROUTINE, "routine", "Routine environmental check"),
])
def test_inspection_type_values_and_labels(kind, value, label):
    assert (kind.value, kind.label) == (value, label)


@pytest.mark.parametrize("codes, answers, not_accessible, expected", [
    (ITEMS, {}, False, RoomProgress(0, 3, NS, ITEMS)),
    (ITEMS, {"DOOR-01": "compliant"}, False, RoomProgress(1, 3, IP, ("WIN-01", "BED-01"))),
    (ITEMS, {"DOOR-01": Answer.LP, "WIN-01": "not_applicable", "BED-01": "compliant"}, False,
     RoomProgress(3, 3, DONE)),
    (ITEMS, {"DOOR-01": "compliant", "OLD-99": "compliant"}, False,
     RoomProgress(1, 3, IP, ("WIN-01", "BED-01"))),
    (ITEMS, {"OLD-99": "compliant", "OLD-98": "ligature_point", "OLD-97": "compliant"}, False,
     RoomProgress(0, 3, NS, ITEMS)),
    (ITEMS, {"DOOR-01": "", "WIN-01": None, "BED-01": "compliant"}, False,
     RoomProgress(1, 3, IP, ("DOOR-01", "WIN-01"))),
    (("DOOR-01", "DOOR-01", "WIN-01"), {"DOOR-01": "compliant"}, False,
     RoomProgress(1, 2, IP, ("WIN-01",))),
    (ITEMS, {"DOOR-01": "compliant"}, True, RoomProgress(1, 3, NA, ("WIN-01", "BED-01"))),
    (ITEMS, {code: "compliant" for code in ITEMS}, True, RoomProgress(3, 3, NA)),
    ((), {}, False, RoomProgress(0, 0, DONE)),
    (iter(ITEMS), {"BED-01": "ligature_point_controlled"}, False,
     RoomProgress(1, 3, IP, ("DOOR-01", "WIN-01"))),
])
def test_room_progress_counts_answers_for_the_rooms_own_items(codes, answers, not_accessible,
                                                              expected):
    assert room_progress(codes, answers, not_accessible=not_accessible) == expected


def test_room_progress_refuses_an_answer_that_does_not_exist():
    with pytest.raises(ChecklistError, match="Item WIN-01: 'maybe' is not a checklist answer."):
        room_progress(ITEMS, {"WIN-01": "maybe"})


Row = namedtuple("Row", "name state not_accessible_reason")


@pytest.mark.parametrize("rooms, expected", [
    ([RoomSummary("Bedroom 1", DONE), RoomSummary("Lounge", NA, "Deep clean after flood")], []),
    ([RoomSummary("Bedroom 1", NS)], ["Bedroom 1 has not been inspected yet."]),
    ([RoomSummary("Bedroom 1", IP)], ["Bedroom 1 has unanswered items."]),
    ([RoomSummary("Garden", NA)], ["Garden is marked not accessible, but no reason is recorded."]),
    ([RoomSummary("Garden", NA, "   ")],
     ["Garden is marked not accessible, but no reason is recorded."]),
    ([("Bedroom 2", "in_progress", None), ("Bath", "complete", None),
      ("Clinic", "not_started", None)],
     ["Bedroom 2 has unanswered items.", "Clinic has not been inspected yet."]),
    ([Row("Seclusion", "not_accessible", "Occupied")], []),
    ([], ["The inspection has no rooms to sign off."]),
])
def test_signoff_blockers_name_each_room_in_the_way(rooms, expected):
    assert signoff_blockers(rooms) == expected


def test_signoff_refuses_a_room_state_that_does_not_exist():
    with pytest.raises(ChecklistError, match="Lounge: 'done' is not a room state."):
        signoff_blockers([("Lounge", "done", None)])


WALK = [RoomSummary("Bedroom 1", DONE), RoomSummary("Bedroom 2", IP),
        RoomSummary("Garden", NA, "Locked"), RoomSummary("Lounge", NS),
        RoomSummary("Clinic", DONE)]


@pytest.mark.parametrize("rooms, after, expected", [
    (WALK, None, 1), (WALK, 0, 1), (WALK, 1, 3), (WALK, 3, 1), (WALK, 4, 1),
    ([RoomSummary("A", DONE), RoomSummary("B", NA)], None, 1),
    ([RoomSummary("A", DONE), RoomSummary("B", NA, "Flooded")], None, None),
    ([], None, None), ([], 3, None),
    ([RoomSummary("Only", IP)], 0, 0),
])
def test_next_unfinished_walks_on_and_wraps_round_to_skipped_rooms(rooms, after, expected):
    assert next_unfinished(rooms, after=after) == expected


@pytest.mark.parametrize("outcome, value, label, needs_finding", [
    (CarryForwardOutcome.STILL_PRESENT, "still_present", "Still present", True),
    (CarryForwardOutcome.FIXED, "fixed", "Fixed", False),
    (CarryForwardOutcome.FIXED_DEFECTIVE, "fixed_defective", "Fixed but defective", True),
])
def test_carried_forward_points_stay_findings_unless_fixed(outcome, value, label, needs_finding):
    assert (outcome.value, outcome.label, outcome.needs_finding) == (value, label, needs_finding)
    assert carry_forward_outcomes(value) is outcome


@pytest.mark.parametrize("state, label", [(NS, "Not started"), (IP, "In progress"),
                                          (DONE, "Complete"), (NA, "Not accessible")])
def test_room_state_labels(state, label):
    assert state.label == label


@pytest.mark.parametrize("current, existing_controls, expected", [
    (None, False, Answer.LP),
    (None, True, Answer.CTRL),
    ("compliant", False, Answer.LP),
    ("not_applicable", True, Answer.CTRL),
    ("ligature_point", True, None),  # already says so: the inspector's answer stands
    ("ligature_point_controlled", False, None),
])
def test_a_point_recorded_against_an_item_marks_it_a_ligature_point(current, existing_controls, expected):
    assert answer_for_point(current, existing_controls=existing_controls) is expected
