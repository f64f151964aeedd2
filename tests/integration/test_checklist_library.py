"""The built-in checklist library 2.0 over a real database: its schema, check items and their
actions, patient-group variants, inspection-type subsets, and the export/import round trip."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from inspect_app.actions.models import Action
from inspect_app.auth.models import User
from inspect_app.checklists import library
from inspect_app.clock import utcnow
from inspect_app.domain import risk
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.findings.services import FindingError, apply_grade, policy_for
from inspect_app.inspections import answering
from inspect_app.inspections import services as inspections
from inspect_app.inspections.walk import ward_progress
from tests.signing import sign_fully

NEW_AREAS = {"DRM", "ECT", "S136", "SEN", "GYM", "NST", "TEL", "VWC", "SMK", "EDU", "NUR", "CLN"}


def test_the_builtin_library_validates_and_says_where_each_area_comes_from():
    doc = library.validate(library.load_builtin())
    areas = {a["code"]: a for a in doc["area_types"]}
    items = [i for a in doc["area_types"] for i in a["items"]]
    assert doc["version"] == "2.0" and set(areas) >= NEW_AREAS
    assert all(a["source"] for a in doc["area_types"])  # every area cites its public sources
    assert all(i["default_tier"] in {"T1", "T2", "T3", "NP"} and i["guidance"] for i in items)
    checks = [i for i in items if i["kind"] == "check"]
    assert {"BED-05", "ENT-01", "ENT-02", "DIN-03", "STR-02"} <= {i["code"] for i in checks}  # process checks
    assert all(i["default_priority"] in {"low", "moderate", "high", "extreme"} for i in checks)
    cutters = [i for i in items if i["category"] == "Ligature cutters & emergency response"]
    assert len(cutters) >= 4 and all(i["kind"] == "check" for i in cutters)
    assert {g for i in items for g in i["patient_groups"]} >= {"camhs", "older_adult", "eating_disorder", "perinatal"}
    assert areas["EDU"]["patient_groups"] == ["camhs"] and areas["NUR"]["patient_groups"] == ["perinatal"]
    # alerts are cited by reference only: never their text
    assert all(set(c) <= {"reference", "section"} for i in items for c in i.get("alerts", []))


@pytest.mark.parametrize("change, message", [
    (lambda d: d["area_types"][0]["items"][0].update(kind="check"), "needs a default_priority"),
    (lambda d: d["area_types"][0]["items"][0].update(default_priority="high"), "only a check item"),
    (lambda d: d["area_types"][0]["items"][0].update(patient_groups=["martian"]), "unknown code"),
    (lambda d: d["area_types"][0]["items"][0].update(inspection_types=["annual"]), "unknown code"),
    (lambda d: d["area_types"][0]["items"][0].update(default_tier="T9"), "default_tier"),
])
def test_library_schema_refuses_bad_items_with_a_clear_message(change, message):
    doc = library.load_builtin()
    change(doc)
    with pytest.raises(library.LibraryError, match=message):
        library.validate(doc)


def test_export_then_import_round_trips_the_new_library(demo):
    published = library.current_published()
    exported = json.loads(json.dumps(library.export_template(published)))

    def by_code(doc):  # an area's patient groups travel on its items once imported
        areas = library.validate(doc)["area_types"]
        return ({a["code"]: {k: v for k, v in a.items() if k not in ("items", "patient_groups")} for a in areas},
                {i["code"]: i for a in areas for i in a["items"]})
    assert by_code(exported) == by_code(library.load_builtin())
    exported["version"] = "2.0-copy"
    copy = library.import_library(exported, by=None, now=utcnow())
    assert library.publish_preview(copy)[1].is_noop  # the same content, field for field


def _start(demo, ward_name: str, kind: str = "annual"):
    inspector = db.session.get(User, demo["users"]["inspector"])
    ward = db.session.get(Ward, demo["wards"][ward_name])
    inspection = inspections.start_inspection(ward=ward, inspection_type=kind, team=["Sam Okafor"], by=inspector,
                                              now=utcnow())
    db.session.flush()
    return inspector, ward, inspection


def _codes(inspection, ward, room_name="Bedroom 1"):
    room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == room_name))
    return {i.code for i in inspections.room_items(inspection, room)}, room


@pytest.mark.parametrize("ward, present, absent", [
    ("Larch Ward", set(), {"BED-OA1", "BED-CA1", "BED-ED1", "BED-PN1"}),
    ("Rowan Ward", {"BED-OA1", "BED-OA2", "BED-OA3"}, {"BED-CA1", "BED-ED1"}),
    ("Juniper Ward", {"BED-CA1", "BED-CA2"}, {"BED-OA1", "BED-PN1"}),
])
def test_an_inspection_uses_the_items_of_its_wards_patient_group(demo, ward, present, absent):
    _, ward_row, inspection = _start(demo, ward)
    codes, room = _codes(inspection, ward_row)
    assert present <= codes and not (absent & codes) and "BED-01" in codes
    bedroom = next(s for s in ward_progress(inspection) if s.room.id == room.id)
    assert bedroom.progress.total == len(codes)  # the walk counts the same items


def test_a_variant_item_of_another_group_cannot_be_answered(demo):
    inspector, ward, inspection = _start(demo, "Larch Ward")
    room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Bedroom 1"))
    older = next(i for i in inspection.template.items if i.code == "BED-OA1")
    with pytest.raises(inspections.InspectionError, match="does not belong"):
        answering.record_answer(inspection=inspection, room=room, item=older, value="compliant", by=inspector,
                                now=utcnow())


def test_routine_and_spot_checks_use_the_subsets_the_library_marks(demo):
    _, ward, annual = _start(demo, "Larch Ward")
    full, _ = _codes(annual, ward)
    annual.status = "signed_off"  # out of the way: one inspection in progress per ward
    _, _, routine = _start(demo, "Larch Ward", "routine")
    routine_codes, _ = _codes(routine, ward)
    routine.status = "signed_off"
    _, _, spot = _start(demo, "Larch Ward", "spot")
    spot_codes, _ = _codes(spot, ward)
    assert spot_codes < routine_codes < full
    assert {"BED-27", "BED-25"} <= spot_codes and "BED-02" not in routine_codes  # hinges wait for the annual
    covers = dict(inspections.coverage(annual.template, ward))
    assert covers["spot"] < covers["routine"] < covers["annual"] == covers["reassessment"]


def test_a_failed_check_needs_a_note_and_raises_an_action_at_its_default_priority(demo):
    inspector, ward, inspection = _start(demo, "Larch Ward")
    _, room = _codes(inspection, ward)
    barricade = next(i for i in inspections.room_items(inspection, room) if i.code == "BED-05")
    assert barricade.kind == "check" and barricade.default_priority == "high"
    with pytest.raises(inspections.InspectionError, match="Say what failed"):
        answering.record_answer(inspection=inspection, room=room, item=barricade, value="fail", by=inspector,
                                now=utcnow())
    with pytest.raises(inspections.InspectionError, match="Choose pass, fail or not applicable"):
        answering.record_answer(inspection=inspection, room=room, item=barricade, value="ligature_point",
                                by=inspector, now=utcnow())
    failed_at = utcnow()
    for status in ward_progress(inspection):
        for item in inspections.room_items(inspection, status.room):
            answering.record_answer(inspection=inspection, room=status.room, item=item, value=item.passing_answer,
                                    by=inspector, now=failed_at)
    answering.record_answer(inspection=inspection, room=room, item=barricade, value="fail", by=inspector,
                            comment="Master key does not open the door from the corridor", now=failed_at)
    check = db.session.scalar(select(Finding).where(Finding.kind == "check"))
    assert (check.band, check.score, check.ref[:3]) == ("high", None, "FC-")
    assert inspections.signoff_problems(inspection) == []  # a failed check is not an ungraded ligature point
    with pytest.raises(FindingError, match="no 5x5 grade"):
        apply_grade(check, 4, 5, kind="initial", by=inspector, now=utcnow())
    created = sign_fully(inspection, lead=inspector, now=utcnow())
    [action] = created
    due = risk.due_dates("high", identified_at=failed_at, policy=policy_for(ward))
    assert (action.finding_id, action.band, action.target_date) == (check.id, "high", due.target)
    assert db.session.scalar(select(Action).where(Action.finding_id == check.id)) is action


def test_a_fail_changed_to_pass_before_sign_off_withdraws_the_failed_check(demo):
    inspector, ward, inspection = _start(demo, "Larch Ward")
    _, room = _codes(inspection, ward)
    alarm = next(i for i in inspections.room_items(inspection, room) if i.code == "BED-27")
    answering.record_answer(inspection=inspection, room=room, item=alarm, value="fail", comment="No alarm",
                            by=inspector, now=utcnow())
    answering.record_answer(inspection=inspection, room=room, item=alarm, value="pass", by=inspector, now=utcnow())
    assert db.session.scalar(select(Finding.state).where(Finding.kind == "check")) == "removed"
