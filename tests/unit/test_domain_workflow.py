"""The remediation action state machine: every status pair, every role, every guard."""
from itertools import product

import pytest

from inspect_app.domain.risk import Band
from inspect_app.domain.workflow import (
    FIELD_NAMES,
    OPEN_STATUSES,
    TERMINAL,
    TRANSITIONS,
    ActionStatus,
    Role,
    Transition,
    TransitionError,
    allowed,
    check,
)

S, R = ActionStatus, Role
ANY = frozenset(R) - {R.RISK_APPROVER, R.WARD_STAFF}  # an approver decides on acceptance only; staff read only
EST = frozenset({R.INSPECTOR, R.SAFETY_LEAD, R.ADMIN})
FIT = frozenset({R.INSPECTOR, R.ADMIN})
MGR = frozenset({R.WARD_MANAGER, R.SAFETY_LEAD, R.ADMIN})
LEAD = frozenset({R.SAFETY_LEAD})
ACC = frozenset({R.SAFETY_LEAD, R.RISK_APPROVER})  # a lead alone below High; lead + approver above
CONTROL = {"control", "control_by", "review_date"}
ACCEPT = {"rationale", "residual_grade", "review_date"}

# The agreed table, written out independently of the module: (from, to) -> (roles, fields).
EXPECTED = {
    (S.OPEN, S.INTERIM): (ANY, CONTROL),
    (S.OPEN, S.WORK_ORDERED): (EST, {"reference"}),
    (S.OPEN, S.ESCALATED): (MGR, {"reference"}),
    (S.OPEN, S.RISK_ACCEPTED): (ACC, ACCEPT),
    (S.INTERIM, S.WORK_ORDERED): (EST, {"reference"}),
    (S.INTERIM, S.ESCALATED): (MGR, {"reference"}),
    (S.INTERIM, S.CAPITAL): (EST, {"reference"}),
    (S.INTERIM, S.RISK_ACCEPTED): (ACC, ACCEPT),
    (S.WORK_ORDERED, S.REMEDIATED): (FIT, {"photo", "product"}),
    (S.WORK_ORDERED, S.ESCALATED): (MGR, {"reference"}),
    (S.WORK_ORDERED, S.RISK_ACCEPTED): (ACC, ACCEPT),
    (S.REMEDIATED, S.VERIFIED): (ANY, {"photo"}),
    (S.REMEDIATED, S.WORK_ORDERED): (ANY, {"comment"}),
    (S.VERIFIED, S.CLOSED): (MGR, set()),
    (S.ESCALATED, S.INTERIM): (ANY, CONTROL),
    (S.ESCALATED, S.WORK_ORDERED): (EST, {"reference"}),
    (S.ESCALATED, S.REMEDIATED): (FIT, {"photo", "product"}),
    (S.ESCALATED, S.CAPITAL): (EST, {"reference"}),
    (S.ESCALATED, S.RISK_ACCEPTED): (ACC, ACCEPT),
    (S.CAPITAL, S.WORK_ORDERED): (EST, {"reference"}),
    (S.CAPITAL, S.REMEDIATED): (FIT, {"photo", "product"}),
    (S.CAPITAL, S.RISK_ACCEPTED): (ACC, ACCEPT),
    (S.RISK_ACCEPTED, S.OPEN): (LEAD, {"comment"}),
}
FULL = {key: f"given {key}" for key in FIELD_NAMES}
ROLE_CASES = [(source, target, role) for (source, target) in EXPECTED for role in R]


def _check(source, target, *, role, fields=FULL, actor_id=1, remediated_by_id=2, band=Band.LOW,
           interim_in_place=True, **extra):
    return check(source, target, role=role, fields=fields, actor_id=actor_id,
                 remediated_by_id=remediated_by_id, band=band, interim_in_place=interim_in_place, **extra)


def test_the_module_table_is_exactly_the_agreed_table():
    assert {(t.source, t.target): (t.roles, set(t.requires)) for t in TRANSITIONS} == EXPECTED
    assert len(TRANSITIONS) == len(EXPECTED) and all(t.label for t in TRANSITIONS)


@pytest.mark.parametrize("source, target", list(product(S, repeat=2)))
def test_every_status_pair_is_either_allowed_or_refused_in_words(source, target):
    if (source, target) in EXPECTED:
        roles, _ = EXPECTED[source, target]
        role = next(role for role in R if role in roles)
        assert _check(source, target, role=role).target is target
    elif source is target:
        with pytest.raises(TransitionError, match=f"^This action is already {source.label}.$"):
            _check(source, target, role=R.ADMIN)
    else:
        message = f"^An action that is {source.label} cannot move to {target.label}.$"
        with pytest.raises(TransitionError, match=message):
            _check(source, target, role=R.SAFETY_LEAD)


@pytest.mark.parametrize("source, target, role", ROLE_CASES)
def test_each_role_may_make_only_its_own_transitions(source, target, role):
    permitted = role in EXPECTED[source, target][0]
    shown = [(t.source, t.target) for t in allowed(source, role=role, band=Band.LOW,
                                                      interim_in_place=True)]
    assert ((source, target) in shown) is permitted
    if permitted:
        assert isinstance(_check(source, target, role=role), Transition)
    else:
        with pytest.raises(TransitionError, match="^Only an? .+ can .+\\.$"):
            _check(source, target, role=role)


@pytest.mark.parametrize("source, target, field", [
    (source, target, field) for (source, target), (_, fields) in EXPECTED.items()
    for field in sorted(fields)])
def test_each_required_field_is_named_when_missing(source, target, field):
    role = next(role for role in R if role in EXPECTED[source, target][0])
    fields = {key: value for key, value in FULL.items() if key != field}
    with pytest.raises(TransitionError, match=f"^Missing: {FIELD_NAMES[field]}.$"):
        _check(source, target, role=role, fields=fields)


@pytest.mark.parametrize("source, target, role, kwargs, message", [
    (S.CLOSED, S.OPEN, R.ADMIN, {}, "An action that is Closed cannot move to Open."),
    (S.OPEN, S.RISK_ACCEPTED, R.WARD_MANAGER, {}, "Only a patient safety lead or a risk approver can accept a risk."),
    (S.OPEN, S.RISK_ACCEPTED, R.SAFETY_LEAD, {"fields": {"residual_grade": "8"}},
     "Missing: review date, rationale."),
    (S.VERIFIED, S.CLOSED, R.INSPECTOR, {},
     "Only a ward manager, a patient safety lead or an administrator can close an action."),
    (S.WORK_ORDERED, S.REMEDIATED, R.WARD_MANAGER, {},
     "Only an inspector (estates) or an administrator can record a remediation."),
    (S.REMEDIATED, S.VERIFIED, R.WARD_MANAGER, {"actor_id": 7, "remediated_by_id": 7},
     "Verification must be done by a different person from the one who recorded the "
     "remediation."),
    (S.REMEDIATED, S.VERIFIED, R.SAFETY_LEAD, {"remediated_by_id": None},
     "Verification must be done by a different person from the one who recorded the "
     "remediation."),
    (S.OPEN, S.WORK_ORDERED, R.INSPECTOR, {"band": Band.HIGH, "interim_in_place": False},
     "A High or Extreme action needs an interim control before work is ordered."),
    (S.OPEN, S.WORK_ORDERED, R.INSPECTOR, {"band": "extreme", "interim_in_place": False},
     "A High or Extreme action needs an interim control before work is ordered."),
    (S.ESCALATED, S.WORK_ORDERED, R.ADMIN, {"band": Band.HIGH, "interim_in_place": False},
     "A High or Extreme action needs an interim control before work is ordered."),
    (S.OPEN, S.WORK_ORDERED, R.INSPECTOR, {"band": None, "interim_in_place": False},
     "An ungraded action needs an interim control before work is ordered."),
    (S.ESCALATED, S.CAPITAL, R.SAFETY_LEAD, {"interim_in_place": False},
     "A capital scheme needs an interim control in place first; it stays mandatory until the "
     "work is done."),
    (S.OPEN, S.ESCALATED, R.SAFETY_LEAD, {"interim_in_place": False, "band": Band.EXTREME},
     "Record the interim control in place before escalating to the risk register: the register entry "
     "must name what keeps patients safe meanwhile."),
    (S.OPEN, S.RISK_ACCEPTED, R.SAFETY_LEAD, {"two_person": True},
     "A High or Extreme risk is accepted by a risk approver, on a patient safety lead's proposal."),
    (S.OPEN, S.RISK_ACCEPTED, R.RISK_APPROVER, {"two_person": True},
     "A patient safety lead must propose accepting this risk first."),
    (S.OPEN, S.RISK_ACCEPTED, R.RISK_APPROVER, {"two_person": True, "proposed_by_id": 1},
     "The approver must be a different person from the one who proposed it."),
    (S.OPEN, "reopened", R.ADMIN, {}, "Unknown status 'reopened'."),
    (S.OPEN, S.INTERIM, "porter", {}, "Unknown role 'porter'."),
    (S.OPEN, S.WORK_ORDERED, R.ADMIN, {"band": "severe"}, "Unknown band 'severe'."),
])
def test_refusals_say_exactly_what_is_wrong(source, target, role, kwargs, message):
    with pytest.raises(TransitionError) as refused:
        _check(source, target, role=role, **kwargs)
    assert str(refused.value) == message


@pytest.mark.parametrize("source, target, kwargs", [
    (S.OPEN, S.WORK_ORDERED, {"band": Band.MODERATE, "interim_in_place": False}),
    (S.OPEN, S.WORK_ORDERED, {"band": Band.LOW, "interim_in_place": False}),
    (S.OPEN, S.WORK_ORDERED, {"band": Band.EXTREME, "interim_in_place": True}),
    (S.INTERIM, S.WORK_ORDERED, {"band": Band.EXTREME, "interim_in_place": False}),
    (S.INTERIM, S.CAPITAL, {"band": Band.HIGH, "interim_in_place": False}),
    (S.ESCALATED, S.CAPITAL, {"band": Band.HIGH, "interim_in_place": True}),
    (S.INTERIM, S.ESCALATED, {"band": Band.EXTREME, "interim_in_place": False}),
    (S.OPEN, S.ESCALATED, {"band": Band.EXTREME, "interim_in_place": True}),
    (S.ESCALATED, S.REMEDIATED, {"band": Band.EXTREME, "interim_in_place": False}),
    ("open", "interim_control", {"band": "high", "interim_in_place": False}),
])
def test_state_guards_let_safe_moves_through(source, target, kwargs):
    role = R.ADMIN if target != S.CAPITAL else R.INSPECTOR
    assert _check(source, target, role=role, **kwargs).target is S(target)


@pytest.mark.parametrize("value, missing", [
    (None, True), ("", True), ("   ", True), ([], True), ((), True), (0, True), (False, True),
    ("CAFM-1234", False), (["photo-1.jpg"], False), (1, False), (Band.HIGH, False),
])
def test_blank_values_count_as_missing(value, missing):
    fields = {**FULL, "photo": value}
    if missing:
        with pytest.raises(TransitionError, match="^Missing: photo.$"):
            _check(S.REMEDIATED, S.VERIFIED, role=R.WARD_MANAGER, fields=fields)
    else:
        assert _check(S.REMEDIATED, S.VERIFIED, role=R.WARD_MANAGER, fields=fields)


@pytest.mark.parametrize("source, role, band, interim, labels", [
    (S.OPEN, R.INSPECTOR, Band.HIGH, False, ["Record interim control"]),
    (S.OPEN, R.INSPECTOR, None, False, ["Record interim control"]),
    (S.OPEN, R.INSPECTOR, Band.MODERATE, False, ["Record interim control", "Order work"]),
    (S.OPEN, R.SAFETY_LEAD, Band.LOW, False, ["Record interim control", "Order work",
                                              "Accept risk"]),
    (S.OPEN, R.SAFETY_LEAD, Band.LOW, True, ["Record interim control", "Order work",
                                             "Escalate to risk register", "Accept risk"]),
    (S.OPEN, R.WARD_MANAGER, Band.EXTREME, False, ["Record interim control"]),
    (S.ESCALATED, R.INSPECTOR, Band.HIGH, False, ["Record interim control",
                                                  "Record remediation"]),
    (S.ESCALATED, R.INSPECTOR, Band.HIGH, True, ["Record interim control", "Order work",
                                                 "Record remediation",
                                                 "Refer to capital scheme"]),
    (S.REMEDIATED, R.WARD_MANAGER, Band.HIGH, True, ["Verify on site",
                                                     "Verification failed, re-open work"]),
    (S.RISK_ACCEPTED, R.SAFETY_LEAD, Band.LOW, False, ["Re-open accepted risk"]),
    (S.RISK_ACCEPTED, R.ADMIN, Band.LOW, False, []),
    (S.CLOSED, R.ADMIN, Band.LOW, True, []),
    ("verified", "ward_manager", "low", False, ["Close action"]),
])
def test_allowed_lists_the_buttons_to_show(source, role, band, interim, labels):
    shown = allowed(source, role=role, band=band, interim_in_place=interim)
    assert [t.label for t in shown] == labels


@pytest.mark.parametrize("status, is_open, terminal", [
    (S.OPEN, True, False), (S.INTERIM, True, False), (S.WORK_ORDERED, True, False),
    (S.REMEDIATED, True, False), (S.VERIFIED, True, False), (S.ESCALATED, True, False),
    (S.CAPITAL, True, False), (S.RISK_ACCEPTED, False, False), (S.CLOSED, False, True),
    (S.CANCELLED, False, True),
])
def test_only_closed_and_cancelled_are_terminal_and_accepted_risks_are_not_open(status, is_open, terminal):
    assert (status in OPEN_STATUSES, status in TERMINAL) == (is_open, terminal)
    has_way_out = any(t.source is status for t in TRANSITIONS)
    assert has_way_out is not terminal


@pytest.mark.parametrize("member, value, label", [
    (R.INSPECTOR, "inspector", "Inspector (estates)"),
    (R.WARD_MANAGER, "ward_manager", "Ward manager"),
    (R.SAFETY_LEAD, "safety_lead", "Patient safety lead"),
    (R.ADMIN, "admin", "Administrator"),
    (S.INTERIM, "interim_control", "Interim control in place"),
    (S.ESCALATED, "escalated", "Escalated to risk register"),
    (S.CAPITAL, "capital_scheme", "Capital scheme"),
    (S.RISK_ACCEPTED, "risk_accepted", "Risk accepted"),
])
def test_stored_values_and_labels(member, value, label):
    assert (member.value, member.label) == (value, label)
    # Templates and string columns see the stored value, not "Role.ADMIN".
    assert str(member) == f"{member}" == member == value


def test_every_status_has_a_label():
    assert all(status.label and status.label[0].isupper() for status in S)


def test_a_transition_cannot_require_a_field_the_forms_do_not_know():
    with pytest.raises(ValueError, match="Unknown required fields"):
        Transition(S.OPEN, S.INTERIM, ANY, frozenset({"signature"}), "Sign")


def test_ward_staff_and_risk_approvers_move_no_action_but_by_their_own_rights():
    """Ward staff read their ward's briefing and change nothing; a risk approver only accepts risks."""
    assert not [t for t in TRANSITIONS if Role.WARD_STAFF in t.roles]
    assert {t.target.value for t in TRANSITIONS if Role.RISK_APPROVER in t.roles} == {"risk_accepted"}
