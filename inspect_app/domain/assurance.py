"""Assurance rules: who must sign which inspection, which inspections reset the ward's clock,
which rooms "need a second look", and when a ward may be called clear of open risk.

Pure rules over plain data (no Flask or SQLAlchemy), so each is table-tested. Defaults and
their sources are recorded in docs/decisions.md; the second-look thresholds are a trust
setting (:class:`SecondLookPolicy`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from .checklist import Answer, InspectionType
from .labelled import LabelledEnum
from .risk import Tier
from .workflow import Role

#: Only these inspection types reset the ward's 12-month clock and count as "assessed" for alerts.
#: Routine and spot checks are recorded, reported and carried forward, but never re-assess a ward.
ASSESSMENT_TYPES = frozenset({InspectionType.ANNUAL})

#: A full ligature risk assessment is due again this many days after the last one was signed off.
ASSESSMENT_INTERVAL_DAYS = 365


def resets_assessment_clock(inspection_type: str) -> bool:
    """True when a signed-off inspection of this type counts as the ward's full assessment.

    :param inspection_type: a :class:`~.checklist.InspectionType` value.
    """
    return inspection_type in {t.value for t in ASSESSMENT_TYPES}


def next_assessment_due(last_assessed: date | None, *, interval_days: int = ASSESSMENT_INTERVAL_DAYS
                        ) -> date | None:
    """When the next full assessment is due; None when the ward has never been assessed (due now).

    :param last_assessed: the date the last full annual assessment was signed off, or None.
    :param interval_days: days between full assessments.
    """
    return None if last_assessed is None else last_assessed + timedelta(days=interval_days)


class Capacity(LabelledEnum):
    """What a signatory signs as."""

    LEAD = "lead", "Lead inspector (estates)"
    CLINICAL = "clinical", "Clinical sign-off"


CLINICAL_ROLES = frozenset({Role.WARD_MANAGER, Role.SAFETY_LEAD})


def required_capacities(inspection_type: str) -> tuple[Capacity, ...]:
    """A full annual assessment needs the lead inspector and a clinical signatory; other
    inspections need the lead inspector only.

    :param inspection_type: a :class:`~.checklist.InspectionType` value.
    """
    if resets_assessment_clock(inspection_type):
        return (Capacity.LEAD, Capacity.CLINICAL)
    return (Capacity.LEAD,)


class SignatureError(ValueError):
    """A signature that may not be given; the message is shown to the user."""


def check_signatory(capacity: Capacity | str, *, inspection_type: str, user_id: int, user_role: str,
                    lead_inspector_id: int, manages_ward: bool, signed: Mapping[str, int]) -> Capacity:
    """Return the capacity if this account may sign in it now, else raise with a message.

    :param capacity: what the user asks to sign as.
    :param inspection_type: the inspection's type.
    :param user_id: the signing account.
    :param user_role: the account's role value.
    :param lead_inspector_id: the inspection's lead inspector.
    :param manages_ward: the account is a ward manager of the inspection's ward.
    :param signed: capacities already signed, ``{capacity value: user id}``.
    """
    try:
        capacity = Capacity(capacity)
    except ValueError:
        raise SignatureError("Choose what you are signing as.") from None
    needed = required_capacities(inspection_type)
    if capacity not in needed:
        raise SignatureError("This type of inspection has no clinical sign-off; the lead inspector signs it.")
    if capacity.value in signed:
        raise SignatureError(f"The {capacity.label.lower()} has already been given.")
    if capacity is Capacity.LEAD:
        if user_id != lead_inspector_id and user_role != Role.ADMIN:
            raise SignatureError("Only the lead inspector can sign as lead inspector.")
        if user_id in signed.values():
            raise SignatureError("You have already signed this inspection in another capacity.")
        return capacity
    if Capacity.LEAD.value not in signed:
        raise SignatureError("The lead inspector signs first; the clinical sign-off follows.")
    if user_id in signed.values() or user_id == lead_inspector_id:
        raise SignatureError("The clinical sign-off must be given by a different person from the lead inspector.")
    if user_role == Role.SAFETY_LEAD or (user_role == Role.WARD_MANAGER and manages_ward):
        return capacity
    raise SignatureError("The clinical sign-off is given by a ward manager of this ward or a patient safety lead.")


@dataclass(frozen=True)
class SecondLookPolicy:
    """Thresholds for flagging a room as needing a second look (a trust setting)."""

    all_na_tiers: tuple[str, ...] = (Tier.T2.value, Tier.T3.value)
    photo_tiers: tuple[str, ...] = (Tier.T3.value,)
    # A room of this many answers or more, all given within ``rapid_seconds`` of the first.
    rapid_min_answers: int = 4
    rapid_seconds: int = 10

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping | None) -> SecondLookPolicy:
        """The trust's stored thresholds over the defaults (unknown keys are ignored).

        :param raw: the stored ``to_dict()`` form, or None for the defaults.
        :raises ValueError: a threshold that cannot be used.
        """
        if not raw:
            return DEFAULT_SECOND_LOOK
        base = asdict(DEFAULT_SECOND_LOOK)
        base.update({k: v for k, v in raw.items() if k in base})
        policy = cls(all_na_tiers=tuple(base["all_na_tiers"]), photo_tiers=tuple(base["photo_tiers"]),
                     rapid_min_answers=int(base["rapid_min_answers"]), rapid_seconds=int(base["rapid_seconds"]))
        if policy.rapid_min_answers < 2 or policy.rapid_seconds < 0:
            raise ValueError("Rapid answering needs at least 2 answers and a non-negative number of seconds.")
        known = {t.value for t in Tier}
        unknown = sorted(set(policy.all_na_tiers + policy.photo_tiers) - known)
        if unknown:
            raise ValueError(f"Unknown tier(s) {', '.join(unknown)}; use {', '.join(sorted(known))}.")
        return policy


DEFAULT_SECOND_LOOK = SecondLookPolicy()


class FlagKind(LabelledEnum):
    ALL_NA = "all_na", "Every item answered not applicable"
    NO_PHOTO = "no_photo", "No photo at all"
    RAPID = "rapid", "Answered within seconds"


@dataclass(frozen=True)
class RoomFacts:
    """What the second-look rules read about one inspected room."""

    room_id: int
    room_name: str
    tier: str
    answers: Sequence[str]  # Answer values
    answered_at: Sequence[datetime]
    photos: int
    not_accessible: bool = False


@dataclass(frozen=True)
class Flag:
    room_id: int
    room_name: str
    kind: FlagKind
    text: str

    @property
    def key(self) -> str:
        """Stable identity of the flag, used for the signatory's acknowledgement."""
        return f"{self.room_id}:{self.kind.value}"


def second_look_flags(rooms: Iterable[RoomFacts], policy: SecondLookPolicy = DEFAULT_SECOND_LOOK) -> list[Flag]:
    """Rooms whose record should be looked at again before it is trusted.

    Not a refusal: sign-off goes ahead once the signatory acknowledges each flag.
    A room not accessible is not flagged (it is reported as not inspected instead).

    :param rooms: each answered room's facts.
    :param policy: the trust's thresholds.
    """
    flags: list[Flag] = []
    for room in rooms:
        if room.not_accessible or not room.answers:
            continue
        tier = Tier(room.tier)
        if room.tier in policy.all_na_tiers and all(a == Answer.NA.value for a in room.answers):
            flags.append(Flag(room.room_id, room.room_name, FlagKind.ALL_NA,
                              f"{tier.label} room with every item answered not applicable."))
        if room.tier in policy.photo_tiers and room.photos == 0:
            flags.append(Flag(room.room_id, room.room_name, FlagKind.NO_PHOTO,
                              f"{tier.label} room with no photo at all."))
        times = sorted(room.answered_at)
        if len(times) >= policy.rapid_min_answers and \
                (times[-1] - times[0]).total_seconds() <= policy.rapid_seconds:
            flags.append(Flag(room.room_id, room.room_name, FlagKind.RAPID,
                              f"All {len(times)} items answered within {policy.rapid_seconds} seconds "
                              "of each other."))
    return flags


class Caveat(LabelledEnum):
    """Something that stops a ward being called clear of open risk."""

    OPEN_ACTIONS = "open_actions", "open action(s)"
    OVERDUE_ACTIONS = "overdue_actions", "overdue action(s)"
    ACCEPTED_RISKS = "accepted_risks", "risk-accepted point(s)"
    FAILED_CHECKS = "failed_checks", "failed product check(s)"
    OVERDUE_CHECKS = "overdue_checks", "overdue product check(s)"
    INTERIM_PAST_REVIEW = "interim_past_review", "interim control(s) past review"


def caveats(counts: Mapping[Caveat | str, int]) -> list[str]:
    """Each non-zero count in words, in a fixed order ("2 risk-accepted point(s)").

    :param counts: how many of each :class:`Caveat`, keyed by member or value.
    """
    return [f"{counts.get(c, 0) or counts.get(c.value, 0)} {c.label}" for c in Caveat
            if counts.get(c, 0) or counts.get(c.value, 0)]


def interim_past_review(review_date: date | None, *, status_open: bool, today: date) -> bool:
    """An interim control still relied on after the date it was to be reviewed.

    :param review_date: the control's review date, or None.
    :param status_open: the action is still open (the control is still relied on).
    :param today: the current date.
    """
    return status_open and review_date is not None and review_date < today
