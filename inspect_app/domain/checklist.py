"""Checklist answers and inspection completeness, computed over plain data.

An inspection can be signed off only when every room is either fully answered or marked
not accessible with a reason; the functions here say which rooms stand in the way, in
words the inspector can act on, and which room to walk to next.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .labelled import LabelledEnum


class ChecklistError(ValueError):
    """Checklist data that cannot be read, such as an answer code that does not exist."""


class Answer(LabelledEnum):
    """The answers to a checklist item: a ligature item takes the first four, a check item
    (a process or security check) pass, fail or not applicable (see :class:`ItemKind`)."""

    OK = "compliant", "Compliant"
    LP = "ligature_point", "Ligature point"
    CTRL = "ligature_point_controlled", "Ligature point with existing controls"
    NA = "not_applicable", "Not applicable"
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"

    @property
    def is_ligature_point(self) -> bool:
        """True when the answer records a ligature point, which must then be graded."""
        return self in (Answer.LP, Answer.CTRL)


def answer_for_point(current: str | None, *, existing_controls: bool) -> Answer | None:
    """The answer a ligature point recorded against a checklist item gives that item.

    A point found at an item means the item is not compliant. The item then reads "ligature point"
    ("with existing controls" when the point has some), unless it already records a ligature point,
    which is left as the inspector answered it.

    :param current: the item's stored answer value in this room, or None when unanswered.
    :param existing_controls: whether the new point records existing controls.
    :returns: the answer to record, or None when the stored answer stands.
    """
    if current in (Answer.LP.value, Answer.CTRL.value):
        return None
    return Answer.CTRL if existing_controls else Answer.LP


class ItemKind(LabelledEnum):
    """A ligature item is answered as a possible anchor point (a point found is recorded and
    graded on the 5x5 matrix); a check item is a process or security check that passes or fails
    (a fail raises an action at the item's default priority, never a 5x5 grade)."""

    LIGATURE = "ligature", "Ligature item"
    CHECK = "check", "Check item"

    @property
    def answers(self) -> tuple[Answer, ...]:
        if self is ItemKind.CHECK:
            return (Answer.PASS, Answer.FAIL, Answer.NA)
        return (Answer.OK, Answer.LP, Answer.CTRL, Answer.NA)


class NaReason(LabelledEnum):
    """Why an item was answered "Not applicable": always recorded, so an N/A never hides a check
    that was simply not done (an N/A answered "other" says why in words)."""

    NOT_PRESENT = "not_present", "Fixture not present"
    REPURPOSED = "repurposed", "Room repurposed"
    NO_PATIENT_ACCESS = "no_patient_access", "No patient access"
    COVERED_ELSEWHERE = "covered_elsewhere", "Checked under another item"
    OTHER = "other", "Other (say why)"


NOTE_MAX = 2000


def answer_problem(kind: str, value: str, *, na_reason: str | None = None, na_detail: str | None = None,
                   note: str | None = None) -> str | None:
    """Why an answer cannot be saved, in words the inspector can act on; None when it can.

    :param kind: the item's :class:`ItemKind` value.
    :param value: the :class:`Answer` value given.
    :param na_reason: a :class:`NaReason` value; required with "Not applicable".
    :param na_detail: free text; required when the reason is "other".
    :param note: the inspector's note; required with "Fail" (what failed, so it can be put right).
    """
    try:
        item_kind = ItemKind(kind)
    except ValueError:
        return f"{kind!r} is not an item kind."
    allowed = item_kind.answers
    try:
        answer = Answer(value)
    except ValueError:
        answer = None
    if answer not in allowed:
        return "Choose " + ", ".join(a.label.lower() for a in allowed[:-1]) + f" or {allowed[-1].label.lower()}."
    if answer is Answer.NA:
        try:
            reason = NaReason(na_reason or "")
        except ValueError:
            return "Say why the item is not applicable: choose a reason."
        if reason is NaReason.OTHER and not (na_detail or "").strip():
            return "Say why the item is not applicable in your own words."
    if answer is Answer.FAIL and not (note or "").strip():
        return "Say what failed in the note, so it can be put right and checked again."
    for text in (na_detail, note):
        if text is not None and len(text) > NOTE_MAX:
            return f"Notes are at most {NOTE_MAX} characters."
    return None


def na_reason_text(na_reason: str | None, na_detail: str | None = None) -> str:
    """An N/A reason as words for pages, reports and exports ("Other: ..." with the free text).

    :param na_reason: a :class:`NaReason` value (an unknown one is shown as it is).
    :param na_detail: the inspector's words, added after the reason.
    """
    if not na_reason:
        return "No reason recorded"
    try:
        label = NaReason(na_reason).label
    except ValueError:
        label = na_reason
    if na_reason == NaReason.OTHER.value:
        return f"Other: {na_detail}" if na_detail else "Other"
    return f"{label}: {na_detail}" if na_detail else label


class InspectionType(LabelledEnum):
    """Why the inspection is being done; decides which of the library's items it uses."""

    ANNUAL = "annual", "Annual ligature assessment", (
        "Every item of the checklist for the ward's patient group, in every room.")
    REASSESSMENT = "reassessment", "Re-assessment after an incident or building works", (
        "Every item of the checklist for the ward's patient group, in every room.")
    ROUTINE = "routine", "Routine environmental check", (
        "The items the library marks for routine checks: what changes between assessments (curtains and "
        "tracks, furniture, accessories, ligature materials and possessions), cutters, alarm tests and "
        "security checks.")
    SPOT = "spot", "Spot check", (
        "The short list the library marks for spot checks: cutters, door alarms, possessions, curtain "
        "tracks, locked doors and the airlock.")

    @property
    def uses_full_checklist(self) -> bool:
        """An annual assessment or a re-assessment uses every item for the ward's patient group;
        a routine check and a spot check use the subset the library marks for each."""
        return self in (InspectionType.ANNUAL, InspectionType.REASSESSMENT)


def item_applies(*, item_groups: Iterable[str] | None, item_types: Iterable[str] | None,
                 patient_group: str | None, inspection_type: str) -> bool:
    """Whether a library item is on the checklist of one inspection.

    :param item_groups: the patient groups the item is limited to (or added for); empty or None
        means every group.
    :param item_types: the inspection types (besides the full ones) whose subset includes it.
    :param patient_group: the ward's patient group.
    :param inspection_type: an :class:`InspectionType` value.
    """
    groups = set(item_groups or ())
    if groups and patient_group not in groups:
        return False
    if InspectionType(inspection_type).uses_full_checklist:
        return True
    return inspection_type in set(item_types or ())


class RoomState(LabelledEnum):
    """Where a room stands in the walk-round."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    NOT_ACCESSIBLE = "not_accessible", "Not accessible"


class CarryForwardOutcome(LabelledEnum):
    """What the inspector found at a point raised by the previous inspection."""

    STILL_PRESENT = "still_present", "Still present"
    FIXED = "fixed", "Fixed"
    FIXED_DEFECTIVE = "fixed_defective", "Fixed but defective"

    @property
    def needs_finding(self) -> bool:
        """True when the point is still a hazard, so the new inspection must grade it again."""
        return self is not CarryForwardOutcome.FIXED


# The name the specification uses for the outcome choices; same class.
carry_forward_outcomes = CarryForwardOutcome


@dataclass(frozen=True)
class RoomProgress:
    """How far a room's checklist has got; ``unanswered`` keeps the checklist's order (left empty
    when the counts come from the database)."""

    answered: int
    total: int
    state: RoomState
    unanswered: tuple[str, ...] = ()


def _answer(code: str, value: object) -> Answer | None:
    # A blank value is a draft field the inspector has not filled in yet, not an error.
    if value is None or value == "":
        return None
    try:
        return Answer(value)
    except ValueError:
        raise ChecklistError(f"Item {code}: {value!r} is not a checklist answer.") from None


def room_progress(item_codes: Iterable[str], answers: Mapping[str, object], *,
                  not_accessible: bool = False) -> RoomProgress:
    """Count a room's answers against its checklist.

    :param item_codes: the room's checklist item codes, in order; repeats count once.
    :param answers: item code to :class:`Answer` or its value; codes not in the checklist
        (for example from an older template) are ignored, blanks count as unanswered.
    :param not_accessible: the inspector could not enter the room; this wins over answers.
    :raises ChecklistError: for an answer value that is not an :class:`Answer`.
    """
    codes = tuple(dict.fromkeys(item_codes))
    unanswered = tuple(code for code in codes if _answer(code, answers.get(code)) is None)
    answered, total = len(codes) - len(unanswered), len(codes)
    return RoomProgress(answered, total, room_state(answered, total, not_accessible=not_accessible), unanswered)


def room_state(answered: int, total: int, *, not_accessible: bool = False) -> RoomState:
    """A room's state from its counts (:func:`room_progress` counts them; the walk-through's pages
    count them in the database).

    :param answered: items of the room's checklist with an answer.
    :param total: items in the room's checklist.
    :param not_accessible: the inspector could not enter the room; this wins over answers.
    """
    if not_accessible:
        return RoomState.NOT_ACCESSIBLE
    if answered >= total:
        # Includes a room whose checklist has no items: there is nothing left to answer, and
        # blocking sign-off would leave the inspector no way forward.
        return RoomState.COMPLETE
    return RoomState.NOT_STARTED if answered == 0 else RoomState.IN_PROGRESS


@dataclass(frozen=True)
class RoomSummary:
    """The little a sign-off check needs to know about a room."""

    name: str
    state: RoomState
    not_accessible_reason: str | None = None


def _unpack(room: object) -> tuple[str, RoomState, str | None]:
    # Accept anything with the three attributes (a model row, a RoomSummary, a namedtuple)
    # or a plain (name, state, reason) tuple, so callers need not convert.
    if hasattr(room, "name") and hasattr(room, "state"):
        name, state, reason = room.name, room.state, getattr(room, "not_accessible_reason", None)
    else:
        name, state, reason = room
    try:
        return name, RoomState(state), reason
    except ValueError:
        raise ChecklistError(f"{name}: {state!r} is not a room state.") from None


def _blocker(room: object) -> str | None:
    name, state, reason = _unpack(room)
    if state is RoomState.NOT_STARTED:
        return f"{name} has not been inspected yet."
    if state is RoomState.IN_PROGRESS:
        return f"{name} has unanswered items."
    if state is RoomState.NOT_ACCESSIBLE and not (reason or "").strip():
        return f"{name} is marked not accessible, but no reason is recorded."
    return None


def signoff_blockers(rooms: Iterable[RoomSummary | tuple]) -> list[str]:
    """Messages for each room that stops the inspection being signed off; empty means go ahead.

    An inspection with no rooms at all cannot be signed off: it would certify nothing.

    :param rooms: room summaries (or ``(name, state, not_accessible_reason)`` tuples), in walk
        order so the messages read in the order the inspector walks.
    """
    rooms = list(rooms)
    if not rooms:
        return ["The inspection has no rooms to sign off."]
    return [message for message in map(_blocker, rooms) if message]


def next_unfinished(rooms: Sequence[RoomSummary | tuple], *,
                    after: int | None = None) -> int | None:
    """Index of the next room that still blocks sign-off, or None when all are done.

    :param rooms: room summaries in walk order.
    :param after: the index of the room just finished; the search continues from the room
        after it and wraps round to the start, so skipped rooms are not forgotten.
    """
    start = 0 if after is None else after + 1
    order = list(range(start, len(rooms))) + list(range(min(start, len(rooms))))
    return next((index for index in order if _blocker(rooms[index])), None)
