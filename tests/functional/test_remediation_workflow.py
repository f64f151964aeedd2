"""Remediation lifecycle through the services and over HTTP: every transition, every refusal."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspect_app.actions import transitions
from inspect_app.actions.models import ActionEvent
from inspect_app.audit.models import AuditEvent
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import TRANSITIONS, ActionStatus, Role, TransitionError
from inspect_app.extensions import db
from inspect_app.findings.models import FindingGrade
from inspect_app.photos.models import Photo
from tests.fixtures.remediation import photo_bytes

S = ActionStatus
ROLE_USER = {Role.INSPECTOR: "inspector", Role.WARD_MANAGER: "ward_manager", Role.SAFETY_LEAD: "safety_lead",
             Role.ADMIN: "admin", Role.RISK_APPROVER: "risk_approver"}
SUPPLY = {"control": "Door kept locked; 15-minute checks", "control_by": "Charge nurse", "reference": "CAFM-1234",
          "product": "Anti-ligature door closer fitted", "rationale": "Staff-only area after refit",
          "residual_grade": (1, 5), "comment": "Closer arm still loose"}


def _supply(t, now):
    fields = {key: SUPPLY[key] for key in t.requires if key in SUPPLY}
    if "review_date" in t.requires:
        fields["review_date"] = (now + timedelta(days=5)).date()
    return fields


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source.value}->{t.target.value}")
def test_every_transition_in_the_table_moves_the_action_and_records_it(make_action, people, t):
    action = make_action()
    now = utcnow()
    # Put the action where the move starts, as earlier steps would have left it.
    action.status = t.source.value
    action.interim_in_place_at = now
    action.remediated_by_id = people["inspector"].id
    db.session.commit()
    role = sorted(t.roles, key=lambda r: r is not Role.SAFETY_LEAD)[0] if t.target is S.VERIFIED else next(iter(t.roles))
    actor = people["safety_lead"] if t.target is S.VERIFIED else people[ROLE_USER[role]]
    if t.target is S.RISK_ACCEPTED:  # an Extreme risk: a lead proposes, then an approver accepts
        transitions.transition(action, t.target, by=people["safety_lead"], now=now, fields=_supply(t, now))
        assert action.status == t.source.value and action.proposed_by_id == people["safety_lead"].id
        actor = people["risk_approver"]
    photos = [photo_bytes()] if "photo" in t.requires else []
    event = transitions.transition(action, t.target, by=actor, now=now, fields=_supply(t, now), photos=photos)
    db.session.commit()
    assert action.status == t.target.value
    assert (event.from_status, event.to_status, event.by_id, event.role) == (
        t.source.value, t.target.value, actor.id, actor.role)
    assert db.session.scalar(select(func.count()).select_from(Photo).where(Photo.action_event_id == event.id)) == len(photos)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.transition",
                                                       AuditEvent.action_id == action.id))
    assert audit.new["status"] == t.target.value and audit.user_id == actor.id


def test_main_path_over_http_records_every_step_with_photos(make_action, people, app, auth):
    action = make_action()
    base = f"/actions/{action.id}"
    auth.login("manager@demo.nhs.test")
    review = (utcnow() + timedelta(days=5)).date().isoformat()
    response = auth.post(f"{base}/move/interim_control", {
        "interim_control-control": "Bedroom locked, patient moved", "interim_control-control_by": "Priya Raman",
        "interim_control-review_date": review}, page=base)
    assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()
    auth.login("inspector@demo.nhs.test")
    assert auth.post(f"{base}/move/work_ordered", {"work_ordered-reference": "CAFM-778"}, page=base).status_code == 302
    response = auth.post(f"{base}/move/remediated", {"remediated-product": "Kingsway anti-ligature closer",
                                                     "remediated-photos": (__import__("io").BytesIO(photo_bytes()), "fix.jpg")},
                         page=base, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()
    auth.login("safety@demo.nhs.test")
    verified = {"verified-photos": (__import__("io").BytesIO(photo_bytes((0, 90, 0))), "ok.jpg")}
    response = auth.post(f"{base}/move/verified", verified,
                         page=base, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert auth.post(f"{base}/move/closed", {"closed-comment": "Checked on site"}, page=base).status_code == 302
    db.session.expire_all()
    assert action.status == "closed" and action.closed_at is not None
    steps = [(e.kind, e.to_status) for e in action.events]
    assert steps == [("create", "open"), ("transition", "interim_control"), ("transition", "work_ordered"),
                     ("transition", "remediated"), ("transition", "verified"), ("transition", "closed")]
    kinds = sorted(p.kind for p in db.session.scalars(select(Photo).where(Photo.action_event_id.is_not(None))))
    assert kinds == ["evidence", "verification"]
    page = auth.client.get(base).get_data(as_text=True)
    for text in ("Bedroom locked, patient moved", "CAFM-778", "Kingsway anti-ligature closer", "Dr Helen Marsh",
                 "Verified → Closed"):
        assert text in page
    assert page.count("/actions/photos/") >= 2


@pytest.mark.parametrize("setup,who,target,fields,message", [
    ("open", "inspector", "risk_accepted", {"rationale": "x", "residual_grade": (1, 1)},
     "Only a patient safety lead or a risk approver can accept a risk."),
    ("open", "ward_manager", "risk_accepted", {"rationale": "x", "residual_grade": (1, 1)}, "Only a patient safety lead"),
    ("open", "safety_lead", "closed", {}, "cannot move to Closed"),
    ("open", "inspector", "work_ordered", {"reference": "J1"}, "needs an interim control before work is ordered"),
    ("open", "inspector", "capital_scheme", {"reference": "CAP-1"}, "cannot move to Capital scheme"),
    ("interim_control", "ward_manager", "work_ordered", {"reference": "J1"}, "Only an inspector"),
    ("work_ordered", "inspector", "remediated", {"product": "closer"}, "Missing: photo."),
    ("remediated", "inspector", "verified", {}, "different person"),
    ("open", "safety_lead", "interim_control", {"control": "locked"},
     "Missing: person responsible for the control, review date."),
    ("open", "safety_lead", "risk_accepted", {"rationale": "ok"}, "Missing: review date, residual grade."),
])
def test_refused_moves_give_the_domain_message_and_save_nothing(make_action, people, setup, who, target, fields, message):
    action = make_action()
    action.status = setup
    action.remediated_by_id = people["inspector"].id
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(ActionEvent))
    with pytest.raises(TransitionError) as caught:
        transitions.transition(action, target, by=people[who], now=utcnow(), fields=fields,
                               photos=[photo_bytes()] if target == "verified" else [])
    db.session.rollback()
    assert message in str(caught.value)
    assert action.status == setup
    assert db.session.scalar(select(func.count()).select_from(ActionEvent)) == before


def test_capital_scheme_needs_interim_control_first(make_action, people):
    action = make_action(likelihood=2, consequence=2, room="Day room")  # Moderate: no control needed to order work
    action.status = "escalated"
    db.session.commit()
    with pytest.raises(TransitionError, match="capital scheme needs an interim control"):
        transitions.transition(action, "capital_scheme", by=people["inspector"], now=utcnow(), fields={"reference": "CAP"})


def test_refused_move_over_http_is_409_with_message_and_nothing_saved(make_action, auth):
    action = make_action()
    auth.login("inspector@demo.nhs.test")
    base = f"/actions/{action.id}"
    response = auth.post(f"{base}/move/risk_accepted", {
        "risk_accepted-rationale": "fine", "risk_accepted-residual_likelihood": "1",
        "risk_accepted-residual_consequence": "1",
        "risk_accepted-review_date": (utcnow() + timedelta(days=5)).date().isoformat()}, page=base)
    assert response.status_code == 409
    assert "Only a patient safety lead or a risk approver can accept a risk." in response.get_data(as_text=True)
    db.session.expire_all()
    assert action.status == "open" and len(action.events) == 1


def test_past_review_date_is_refused_with_400(make_action, auth):
    action = make_action()
    auth.login("manager@demo.nhs.test")
    base = f"/actions/{action.id}"
    response = auth.post(f"{base}/move/interim_control", {
        "interim_control-control": "locked", "interim_control-control_by": "me",
        "interim_control-review_date": "2001-01-01"}, page=base)
    assert response.status_code == 400
    assert "cannot be in the past" in response.get_data(as_text=True)


def test_extreme_risk_is_accepted_on_a_lead_proposal_by_an_approver_with_residual_grade_kept(make_action, people):
    action = make_action()
    now = utcnow()
    fields = {"rationale": "Seclusion suite under continuous observation", "residual_grade": (1, 5),
              "review_date": (now + timedelta(days=20)).date()}
    transitions.transition(action, "risk_accepted", by=people["safety_lead"], now=now, fields=fields)
    assert action.status == "open" and action.proposed_by_id == people["safety_lead"].id  # a proposal only
    transitions.approve_acceptance(action, by=people["risk_approver"], now=now, comment="Approved at committee")
    db.session.commit()
    grades = db.session.scalars(select(FindingGrade).where(FindingGrade.finding_id == action.finding_id)
                                .order_by(FindingGrade.id)).all()
    assert [(g.kind, g.score) for g in grades] == [("initial", 20), ("residual", 5)]
    assert grades[-1].band == "high"  # a Tier 2 day room: a load-bearing point is at least High
    assert (action.residual_likelihood, action.residual_consequence) == (1, 5)
    assert action.approved_by_id == people["risk_approver"].id
    assert not action.is_open


def test_regrading_adds_a_grade_and_never_overwrites(make_action, people, auth):
    action = make_action(likelihood=4, consequence=5)
    auth.login("inspector@demo.nhs.test")
    base = f"/actions/{action.id}"
    response = auth.post(f"{base}/regrade", {"regrade-likelihood": "2", "regrade-consequence": "4",
                                             "regrade-comment": "Closer replaced with lower-risk model"}, page=base)
    assert response.status_code == 302
    db.session.expire_all()
    grades = db.session.scalars(select(FindingGrade).where(FindingGrade.finding_id == action.finding_id)
                                .order_by(FindingGrade.id)).all()
    assert [(g.kind, g.likelihood, g.consequence) for g in grades] == [("initial", 4, 5), ("regrade", 2, 4)]
    assert action.band == "high"
    assert any(e.kind == "regrade" and e.comment == "Closer replaced with lower-risk model" for e in action.events)
    auth.logout()
    auth.login("manager@demo.nhs.test")
    assert auth.post(f"{base}/regrade", {"regrade-likelihood": "1", "regrade-consequence": "1",
                                         "regrade-comment": "no"}, page=base).status_code == 403


def test_comment_and_owner_are_recorded_and_audited(make_action, people, auth):
    action = make_action()
    auth.login("inspector@demo.nhs.test")
    base = f"/actions/{action.id}"
    assert auth.post(f"{base}/comment", {"comment-text": "Parts on order"}, page=base).status_code == 302
    assert auth.post(f"{base}/owner", {"owner-owner_id": str(people["inspector"].id), "owner-team": ""},
                     page=base).status_code == 302
    assert auth.post(f"{base}/comment", {"comment-text": "  "}, page=base).status_code == 400
    db.session.expire_all()
    assert [e.kind for e in action.events] == ["create", "comment", "owner"]
    assert action.owner_label == "Sam Okafor"
    audited = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action_id == action.id)))
    assert {"action.create", "action.comment", "action.owner"} <= audited
