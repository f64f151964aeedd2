"""The remediation action lifecycle: statuses, who may move an action, and what they must supply.

Main path (domain.md section 6.3): open -> interim control -> work ordered -> remediated ->
verified -> closed, with side exits to risk accepted, escalated (risk register) and capital
scheme. :data:`TRANSITIONS` is the whole table; :func:`check` adds the rules a table cannot
express (interim control before work on serious risks, a second person to verify).
"""
from __future__ import annotations

from collections.abc import Mapping, Sized
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from .bands import DEFAULT_POLICY, Band, BandPolicy
from .labelled import LabelledEnum
from .risk import interim_required


class Role(LabelledEnum):
    """What a user does on the ward; decides which transitions they may make."""

    INSPECTOR = "inspector", "Inspector (estates)"
    WARD_MANAGER = "ward_manager", "Ward manager"
    SAFETY_LEAD = "safety_lead", "Patient safety lead"
    # An executive or committee chair: the second person who approves accepting a serious risk.
    RISK_APPROVER = "risk_approver", "Risk approver"
    ADMIN = "admin", "Administrator"
    # Nurses and support workers on a ward: read their own wards' open hazards and the ligature
    # briefing, and confirm they have read it. They change nothing else (security/access.py).
    WARD_STAFF = "ward_staff", "Ward staff"


class ActionStatus(LabelledEnum):
    """Where a remediation action is in its lifecycle (stored as the value)."""

    OPEN = "open", "Open"
    INTERIM = "interim_control", "Interim control in place"
    WORK_ORDERED = "work_ordered", "Work ordered"
    REMEDIATED = "remediated", "Remediated"
    VERIFIED = "verified", "Verified"
    CLOSED = "closed", "Closed"
    RISK_ACCEPTED = "risk_accepted", "Risk accepted"
    ESCALATED = "escalated", "Escalated to risk register"
    CAPITAL = "capital_scheme", "Capital scheme"
    # Its ligature point was recorded in error and withdrawn: the action is kept, never deleted.
    CANCELLED = "cancelled", "Cancelled: point recorded in error"


S, R = ActionStatus, Role  # short aliases keep each row of the table on one line
TERMINAL = frozenset({S.CLOSED, S.CANCELLED})
# A risk-accepted action is not open work, but it is not finished either: it comes back at
# its review date through "Re-open accepted risk", which is why it is not terminal.
OPEN_STATUSES = frozenset(S) - {S.CLOSED, S.RISK_ACCEPTED, S.CANCELLED}

#: Fields a transition may require, in the order they are listed in messages.
FIELD_NAMES = MappingProxyType({
    "control": "interim control",
    "control_by": "person responsible for the control",
    "review_date": "review date",
    "reference": "reference",
    "photo": "photo",
    "product": "product fitted or work done",
    "rationale": "rationale",
    "residual_grade": "residual grade",
    "comment": "comment",
})


class TransitionError(ValueError):
    """A status change that is refused; the message is shown to the user as it is."""


@dataclass(frozen=True)
class Transition:
    """One allowed move: who may make it, what they must supply, and the button text."""

    source: ActionStatus
    target: ActionStatus
    roles: frozenset[Role]
    requires: frozenset[str]
    label: str

    def __post_init__(self) -> None:
        unknown = set(self.requires) - set(FIELD_NAMES)
        if unknown:
            raise ValueError(f"Unknown required fields {sorted(unknown)} on {self.label!r}.")


# An approver decides on acceptance, nothing else; ward staff read their briefing and change nothing.
ANYONE = frozenset(R) - {R.RISK_APPROVER, R.WARD_STAFF}
ESTATES = frozenset({R.INSPECTOR, R.SAFETY_LEAD, R.ADMIN})  # order work, refer to capital
FITTERS = frozenset({R.INSPECTOR, R.ADMIN})  # record work done on site
MANAGERS = frozenset({R.WARD_MANAGER, R.SAFETY_LEAD, R.ADMIN})  # close, escalate
LEAD = frozenset({R.SAFETY_LEAD})  # accepting a ligature risk is a clinical governance decision
# A lead accepts a Low or Moderate risk alone; a serious one needs a lead's proposal and an approver.
ACCEPTORS = frozenset({R.SAFETY_LEAD, R.RISK_APPROVER})
CONTROL = frozenset({"control", "control_by", "review_date"})
ACCEPTANCE = frozenset({"rationale", "residual_grade", "review_date"})
REF, WORK, PHOTO = frozenset({"reference"}), frozenset({"photo", "product"}), frozenset({"photo"})
COMMENT, NOTHING = frozenset({"comment"}), frozenset()

TRANSITIONS: tuple[Transition, ...] = (
    #          from             to               who       supply      button
    Transition(S.OPEN,          S.INTERIM,       ANYONE,   CONTROL,    "Record interim control"),
    Transition(S.OPEN,          S.WORK_ORDERED,  ESTATES,  REF,        "Order work"),
    Transition(S.OPEN,          S.ESCALATED,     MANAGERS, REF,        "Escalate to risk register"),
    Transition(S.OPEN,          S.RISK_ACCEPTED, ACCEPTORS, ACCEPTANCE, "Accept risk"),
    Transition(S.INTERIM,       S.WORK_ORDERED,  ESTATES,  REF,        "Order work"),
    Transition(S.INTERIM,       S.ESCALATED,     MANAGERS, REF,        "Escalate to risk register"),
    Transition(S.INTERIM,       S.CAPITAL,       ESTATES,  REF,        "Refer to capital scheme"),
    Transition(S.INTERIM,       S.RISK_ACCEPTED, ACCEPTORS, ACCEPTANCE, "Accept risk"),
    Transition(S.WORK_ORDERED,  S.REMEDIATED,    FITTERS,  WORK,       "Record remediation"),
    Transition(S.WORK_ORDERED,  S.ESCALATED,     MANAGERS, REF,        "Escalate to risk register"),
    Transition(S.WORK_ORDERED,  S.RISK_ACCEPTED, ACCEPTORS, ACCEPTANCE, "Accept risk"),
    Transition(S.REMEDIATED,    S.VERIFIED,      ANYONE,   PHOTO,      "Verify on site"),
    Transition(S.REMEDIATED,    S.WORK_ORDERED,  ANYONE,   COMMENT,    "Verification failed, re-open work"),
    Transition(S.VERIFIED,      S.CLOSED,        MANAGERS, NOTHING,    "Close action"),
    Transition(S.ESCALATED,     S.INTERIM,       ANYONE,   CONTROL,    "Record interim control"),
    Transition(S.ESCALATED,     S.WORK_ORDERED,  ESTATES,  REF,        "Order work"),
    Transition(S.ESCALATED,     S.REMEDIATED,    FITTERS,  WORK,       "Record remediation"),
    Transition(S.ESCALATED,     S.CAPITAL,       ESTATES,  REF,        "Refer to capital scheme"),
    Transition(S.ESCALATED,     S.RISK_ACCEPTED, ACCEPTORS, ACCEPTANCE, "Accept risk"),
    Transition(S.CAPITAL,       S.WORK_ORDERED,  ESTATES,  REF,        "Order work"),
    Transition(S.CAPITAL,       S.REMEDIATED,    FITTERS,  WORK,       "Record remediation"),
    Transition(S.CAPITAL,       S.RISK_ACCEPTED, ACCEPTORS, ACCEPTANCE, "Accept risk"),
    Transition(S.RISK_ACCEPTED, S.OPEN,          LEAD,     COMMENT,    "Re-open accepted risk"),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}

# What the role is refused to do, keyed by target, for "Only a ... can <verb>." messages.
_VERBS = {
    S.OPEN: "re-open an accepted risk", S.INTERIM: "record an interim control",
    S.WORK_ORDERED: "order work", S.REMEDIATED: "record a remediation",
    S.VERIFIED: "verify a remediation", S.CLOSED: "close an action",
    S.RISK_ACCEPTED: "accept a risk", S.ESCALATED: "escalate an action to the risk register",
    S.CAPITAL: "refer an action to a capital scheme",
}


def _coerce(kind: type[Enum], value: object, what: str):
    try:
        return kind(value)
    except ValueError:
        raise TransitionError(f"Unknown {what} {value!r}.") from None


def _roles_phrase(roles: frozenset[Role]) -> str:
    names = [role.label.lower() for role in Role if role in roles]
    names = [("an " if name[0] in "aeiou" else "a ") + name for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _state_problem(t: Transition, band: Band | None, interim_in_place: bool,
                   policy: BandPolicy) -> str | None:
    """Why the action's current state forbids ``t`` regardless of who asks, or None."""
    has_interim = interim_in_place or t.source is S.INTERIM
    if t.target is S.WORK_ORDERED and not has_interim:
        # An ungraded action is treated as needing a control: failing safe is the point.
        if band is None:
            return "An ungraded action needs an interim control before work is ordered."
        if interim_required(band, policy):
            serious = " or ".join(b.label for b in Band if interim_required(b, policy))
            return f"A {serious} action needs an interim control before work is ordered."
    if t.target is S.ESCALATED and not has_interim:
        return ("Record the interim control in place before escalating to the risk register: the "
                "register entry must name what keeps patients safe meanwhile.")
    if t.target is S.CAPITAL and not has_interim:
        return ("A capital scheme needs an interim control in place first; it stays mandatory "
                "until the work is done.")
    return None


def _is_blank(value: object) -> bool:
    # Zero counts as not supplied so that a photo count of 0 reads as "no photo".
    if value is None or value is False or value == 0:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Sized) and len(value) == 0


def _acceptance_problem(role: Role, actor_id: int, two_person: bool, proposed_by_id: int | None) -> None:
    """A serious risk is accepted by a risk approver, on a safety lead's proposal, never by one person."""
    if not two_person:  # the table already limits it to a lead or an approver
        return
    if role is not R.RISK_APPROVER:
        raise TransitionError("A High or Extreme risk is accepted by a risk approver, on a patient safety "
                              "lead's proposal.")
    if proposed_by_id is None:
        raise TransitionError("A patient safety lead must propose accepting this risk first.")
    if proposed_by_id == actor_id:
        raise TransitionError("The approver must be a different person from the one who proposed it.")


def allowed(source: ActionStatus | str, *, role: Role | str, band: Band | str | None = None,
            interim_in_place: bool = False,
            policy: BandPolicy = DEFAULT_POLICY) -> list[Transition]:
    """The moves ``role`` can make from ``source`` now, in table order (the buttons to show).

    The verifier-is-a-different-person rule and required fields are checked by :func:`check`
    only, because they depend on who is asking and on what they type.

    :param source: the action's current status.
    :param role: the signed-in user's role.
    :param band: the action's effective band; None (ungraded) is treated as needing an interim
        control, so "Order work" is hidden until one is recorded.
    :param interim_in_place: an interim control is recorded and still in force.
    :param policy: the trust's bands (decides which bands need an interim control).
    """
    source = _coerce(S, source, "status")
    role = _coerce(R, role, "role")
    band = None if band is None else _coerce(Band, band, "band")
    return [t for t in TRANSITIONS
            if t.source is source and role in t.roles
            and _state_problem(t, band, interim_in_place, policy) is None]


def check(source: ActionStatus | str, target: ActionStatus | str, *, role: Role | str,
          fields: Mapping[str, object], actor_id: int, remediated_by_id: int | None,
          band: Band | str | None, interim_in_place: bool,
          policy: BandPolicy = DEFAULT_POLICY, two_person: bool = False,
          proposed_by_id: int | None = None) -> Transition:
    """Return the transition if it may be made, else raise with a message for the user.

    :param source: the action's current status.
    :param target: the status asked for.
    :param role: the actor's role.
    :param fields: what the actor supplied, by :data:`FIELD_NAMES` key; blank values count as
        missing.
    :param actor_id: the user making the change.
    :param remediated_by_id: who recorded the remediation (needed to verify); None if unknown.
    :param band: the action's effective band, None if ungraded.
    :param interim_in_place: an interim control is recorded and still in force.
    :param policy: the trust's bands.
    :param two_person: accepting this risk needs a proposal and a second person's approval
        (``grading.needs_approver``).
    :param proposed_by_id: who proposed accepting the risk, None when nobody has.
    :raises TransitionError: naming the first reason the move is refused.
    """
    source, target = _coerce(S, source, "status"), _coerce(S, target, "status")
    role = _coerce(R, role, "role")
    if source is target:
        raise TransitionError(f"This action is already {source.label}.")
    t = _BY_PAIR.get((source, target))
    if t is None:
        raise TransitionError(f"An action that is {source.label} cannot move to {target.label}.")
    if role not in t.roles:
        raise TransitionError(f"Only {_roles_phrase(t.roles)} can {_VERBS[target]}.")
    band = None if band is None else _coerce(Band, band, "band")
    problem = _state_problem(t, band, interim_in_place, policy)
    if problem:
        raise TransitionError(problem)
    if target is S.RISK_ACCEPTED:
        _acceptance_problem(role, actor_id, two_person, proposed_by_id)
    # Two people must see a fix before it counts; an unknown fitter cannot be shown to differ.
    if target is S.VERIFIED and (remediated_by_id is None or remediated_by_id == actor_id):
        raise TransitionError("Verification must be done by a different person from the one "
                              "who recorded the remediation.")
    missing = [name for key, name in FIELD_NAMES.items()
               if key in t.requires and _is_blank(fields.get(key))]
    if missing:
        raise TransitionError("Missing: " + ", ".join(missing) + ".")
    return t
