"""``flask --app wsgi bands show|set|reset``: a trust sets its own band policy, new grades follow it,
grades already recorded keep their band, and an unusable policy is refused with the reason."""
from __future__ import annotations

import json

from sqlalchemy import select

from inspect_app.audit.models import AuditEvent
from inspect_app.clock import utcnow
from inspect_app.domain.risk import DEFAULT_POLICY
from inspect_app.estates.models import Room, Trust, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.inspections import services as inspections


def _grade_a_point(people, demo, likelihood: int, consequence: int):
    ward = db.session.get(Ward, demo["wards"]["Larch Ward"])
    inspection = inspections.in_progress_for(ward.id) or inspections.start_inspection(
        ward=ward, inspection_type="annual", team=["Sam Okafor"], by=people["inspector"], now=utcnow())
    room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Day room"))
    point = findings.record_finding(inspection=inspection, room=room, category="Door furniture",
                                    description="Door closer arm", likelihood=likelihood, consequence=consequence,
                                    by=people["inspector"], now=utcnow(),
                                    # not load-bearing: the band is the matrix band, with no floor
                                    load_bearing="none", load_bearing_reason="Collapses under 1 kg (tested)")
    db.session.commit()
    return point


def test_show_prints_the_default_policy_as_json(app, demo):
    result = app.test_cli_runner().invoke(args=["bands", "show"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == DEFAULT_POLICY.to_dict()
    assert "default NPSA" in result.stderr


def test_set_changes_new_grades_keeps_old_ones_and_reset_goes_back(app, demo, people, tmp_path):
    cli = app.test_cli_runner()
    before = _grade_a_point(people, demo, 2, 3)  # score 6: Moderate under the default policy
    assert before.band == "moderate"
    policy = DEFAULT_POLICY.to_dict()
    moderate, high = policy["bands"][1], policy["bands"][2]
    moderate["max_score"], high["min_score"] = 5, 6  # this trust treats 6 as High
    high["colour"], high["target_days"] = "#ff8a00", 21
    path = tmp_path / "bands.json"
    path.write_text(json.dumps(policy))

    result = cli.invoke(args=["bands", "set", str(path)])
    assert result.exit_code == 0, result.output
    assert "High 6-14, 21 days" in result.stdout and "keep their band" in result.stdout
    trust = db.session.scalar(select(Trust))
    db.session.refresh(trust)
    assert trust.band_policy["bands"][2]["min_score"] == 6
    shown = json.loads(cli.invoke(args=["bands", "show"]).stdout)
    assert shown["bands"][2]["colour"] == "#ff8a00"

    after = _grade_a_point(people, demo, 2, 3)
    assert after.band == "high"  # the trust's own policy
    db.session.refresh(before)
    assert before.band == "moderate"  # recorded earlier: unchanged

    result = cli.invoke(args=["bands", "reset"])
    assert result.exit_code == 0 and "default NPSA" in result.stdout
    db.session.refresh(trust)
    assert trust.band_policy is None
    assert _grade_a_point(people, demo, 2, 3).band == "moderate"
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "trust.band_policy")
                                 .order_by(AuditEvent.id)).all()
    assert [bool(c.new["band_policy"]) for c in changes] == [True, False]


def test_an_unusable_policy_is_refused_with_the_reason_and_nothing_changes(app, demo, tmp_path):
    cli = app.test_cli_runner()
    overlapping = DEFAULT_POLICY.to_dict()
    overlapping["bands"][1]["max_score"] = 9  # Moderate now overlaps High (8-14)
    unreadable = DEFAULT_POLICY.to_dict()
    unreadable["bands"][0]["text_colour"] = "#3a7d3e"  # green text on green
    cases = {"overlap.json": json.dumps(overlapping), "contrast.json": json.dumps(unreadable),
             "broken.json": "{not json", "empty.json": "{}"}
    messages = {}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = cli.invoke(args=["bands", "set", str(path)])
        assert result.exit_code != 0, name
        messages[name] = result.stderr
    assert "Not a usable band policy" in messages["overlap.json"]
    assert "contrast" in messages["contrast.json"] and "4.5" in messages["contrast.json"]
    assert "not a JSON file" in messages["broken.json"]
    assert '"bands" list' in messages["empty.json"]
    trust = db.session.scalar(select(Trust))
    db.session.refresh(trust)
    assert trust.band_policy is None


def test_several_trusts_need_a_code(app, demo):
    db.session.add(Trust(name="Second trust (test)", code="SECOND", created_at=utcnow()))
    db.session.commit()
    cli = app.test_cli_runner()
    result = cli.invoke(args=["bands", "show"])
    assert result.exit_code != 0 and "--trust CODE" in result.stderr and "SECOND" in result.stderr
    assert cli.invoke(args=["bands", "show", "--trust", "SECOND"]).exit_code == 0
    assert "No trust with code 'NOPE'" in cli.invoke(args=["bands", "show", "--trust", "NOPE"]).stderr


def test_second_look_thresholds_are_a_trust_setting(app, demo):
    """The trust sets its own "needs a second look" thresholds; bad ones are refused, nothing saved."""
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["second-look", "show"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["rapid_seconds"] == 10
    bad = runner.invoke(args=["second-look", "set", "--photo-tiers", "T9"])
    assert bad.exit_code != 0 and "Unknown tier(s) T9" in bad.output
    done = runner.invoke(args=["second-look", "set", "--rapid-seconds", "30", "--photo-tiers", "T2,T3"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    trust = db.session.scalar(select(Trust))
    assert trust.assurance_policy["rapid_seconds"] == 30 and trust.assurance_policy["photo_tiers"] == ["T2", "T3"]
    assert runner.invoke(args=["second-look", "set", "--reset"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(Trust)).assurance_policy is None
