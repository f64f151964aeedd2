"""Traceability between alerts, checklist items and wards, on a real database with the demo trust."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from inspect_app.alerts import drafting, queries, services
from inspect_app.alerts.models import Alert, ItemAlertCitation
from inspect_app.auth.models import User
from inspect_app.checklists import library
from inspect_app.domain.alerts import WardAlertState
from inspect_app.extensions import db
from tests.fixtures.alerts import NOW

# Every curtain, track and bed-space item of the built-in library 2.0 (dormitory bays, ECT recovery,
# sensory room, nursery and the clinic couch joined the bedroom and communal ones of 1.0).
CURTAIN_ITEMS = {"BED-08", "ENS-05", "LNG-03", "DIN-04", "ACT-08", "INT-05", "DRM-01", "DRM-02", "ECT-03", "SEN-04",
                 "NUR-04", "CLN-01"}
DEMO_WARDS = {"Larch Ward", "Willow Ward", "Rowan Ward", "Hazel Ward", "Juniper Ward", "Alder Ward"}


@pytest.fixture
def efa(demo):
    return db.session.scalar(select(Alert).where(Alert.reference == "EFA/2019/003"))


def test_the_builtin_library_cites_efa_2019_003_on_its_curtain_track_items(efa):
    [(template, cited)] = queries.items_implementing(efa)
    assert template.status == "published"
    assert {c.item.code for c in cited} == CURTAIN_ITEMS


def test_the_demo_seed_registers_both_builtin_alerts_and_invents_no_reference(efa):
    alerts = db.session.scalars(select(Alert)).all()
    assert {a.reference for a in alerts} == {"EFA/2019/003", None}
    npsa = next(a for a in alerts if a.reference is None)
    assert npsa.title == "Ligature and ligature point risk assessment tools and policies"
    assert npsa.issued_on is None and npsa.restricted and efa.restricted
    assert str(efa.issued_on) == "2019-03-11"


def test_a_template_lists_the_alerts_it_covers(efa):
    template = library.current_published()
    [(alert, cited)] = queries.alerts_covered(template)
    assert alert is efa and {c.item.code for c in cited} == CURTAIN_ITEMS


def test_export_writes_citations_and_a_new_version_carries_them_forward(efa):
    template = library.current_published()
    doc = library.export_template(template)
    exported = {i["code"]: i.get("alerts") for a in doc["area_types"] for i in a["items"]}
    assert exported["BED-08"] == [{"reference": "EFA/2019/003"}]
    assert exported["BED-09"] is None
    draft = library.new_draft_from(template, version="1.1", by=None, now=NOW)
    db.session.flush()
    [(alert, cited)] = queries.alerts_covered(draft)
    assert alert is efa and {c.item.code for c in cited} == CURTAIN_ITEMS
    assert queries.covering_template_ids(efa.id) == {template.id, draft.id}


def test_importing_an_item_that_cites_an_unknown_alert_is_refused_with_a_message(demo):
    doc = library.export_template(library.current_published())
    doc["version"] = "9.9"
    doc["area_types"][0]["items"][0]["alerts"] = [{"reference": "EFA/2030/999"}]
    with pytest.raises(library.LibraryError, match="EFA/2030/999, which is not in the alert register"):
        library.import_library(doc, by=None, now=NOW)


@pytest.mark.parametrize("bad, message", [
    ("EFA/2019/003", "'alerts' must be a list"),
    ([{"section": "2"}], "needs a 'reference' or a 'title'"),
    ([{"reference": "EFA/2019/003", "section": "x" * 121}], "at most 120 characters"),
    ([{"reference": "EFA/2019/003"}, {"reference": "EFA/2019/003"}], "twice"),
])
def test_malformed_citations_are_refused(demo, bad, message):
    doc = library.export_template(library.current_published())
    doc["version"] = "9.8"
    doc["area_types"][0]["items"][1]["alerts"] = bad
    with pytest.raises(library.LibraryError, match=message):
        library.import_library(doc, by=None, now=NOW)


def test_wards_in_scope_follow_patient_groups_and_area_types(demo, make_alert):
    everyone = make_alert()
    assert {w.name for w in queries.wards_in_scope(everyone)} == DEMO_WARDS
    picu_seclusion = make_alert(patient_groups=["picu", "acute"], area_type_codes=["ECA"])
    assert [w.name for w in queries.wards_in_scope(picu_seclusion)] == ["Willow Ward"]  # only it has ECA rooms
    older = make_alert(patient_groups=["older_adult"])
    assert [w.name for w in queries.wards_in_scope(older)] == ["Rowan Ward"]


def test_ward_state_moves_from_not_assessed_to_open_actions_to_closed(efa, assess):
    template = library.current_published()
    rows = {r.ward.name: r for r in queries.ward_rows(efa)}
    assert {name for name, r in rows.items() if r.state == WardAlertState.NOT_ASSESSED} == DEMO_WARDS
    assess("Larch Ward", template, [("BED-08", "open"), ("LNG-03", "closed"), ("BED-02", "open")])
    assess("Willow Ward", template, [("ENS-05", "closed")])
    assess("Rowan Ward", template, [])
    rows = {r.ward.name: r for r in queries.ward_rows(efa)}
    assert rows["Larch Ward"].state == WardAlertState.OPEN_ACTIONS
    assert [f.item.code for f in rows["Larch Ward"].points] == ["BED-08", "LNG-03"]  # BED-02 is not the alert's
    assert rows["Larch Ward"].open_actions == 1
    assert rows["Willow Ward"].state == WardAlertState.CLOSED
    assert rows["Rowan Ward"].state == WardAlertState.CLOSED  # assessed, nothing found
    assert {w.name for w in queries.wards_not_assessed(efa)} == {"Hazel Ward", "Juniper Ward", "Alder Ward"}


def test_an_inspection_with_a_version_that_does_not_cite_the_alert_does_not_count(demo, make_alert, assess):
    new_alert = make_alert(reference="EFA/2099/100", title="Door-top alarms")
    assess("Larch Ward", library.current_published(), [])
    assert len(queries.wards_not_assessed(new_alert)) == 6


def test_drafting_a_version_with_the_alerts_items_then_publishing_leaves_every_ward_unassessed(demo, make_alert,
                                                                                                 assess):
    alert = make_alert(reference="EFA/2099/200", title="Door-top alarm systems", area_type_codes=["BED"])
    base = library.current_published()
    assess("Larch Ward", base, [])  # assessed, but with a version that predates the alert's items
    items = {"area_types": [{"code": "BED", "items": [
        {"code": "BED-90", "category": "Doors & door furniture", "prompt": "Is the door-top alarm working?"},
        {"code": "BED-01", "category": "Doors & door furniture", "prompt": "Is the door top free of ligature points?",
         "alerts": [{"reference": "EFA/2099/200", "section": "Action 2"}]},
    ]}]}
    draft = drafting.draft_with_items(base, alert, version="2.1", items_doc=items, by=None, now=NOW)
    codes = [i.code for i in draft.items if i.area_type.code == "BED"]
    assert codes.count("BED-01") == 1 and codes[-1] == "BED-90"
    sections = dict(db.session.execute(select(ItemAlertCitation.section, ItemAlertCitation.item_id)
                                       .where(ItemAlertCitation.alert_id == alert.id)).all())
    assert set(sections) == {None, "Action 2"}
    library.publish_template(draft, by=None, now=NOW)
    db.session.commit()
    assert base.status == "archived"
    assert {w.name for w in queries.wards_not_assessed(alert)} == DEMO_WARDS
    assess("Larch Ward", draft, [])
    assert "Larch Ward" not in {w.name for w in queries.wards_not_assessed(alert)}


def test_the_item_editor_adds_and_cites_items_only_in_a_draft(demo, make_alert):
    alert = make_alert()
    base = library.current_published()
    bedroom = next(i.area_type for i in base.items if i.area_type.code == "BED")
    with pytest.raises(library.LibraryError, match="Only a draft"):
        drafting.save_item(base, None, area_type=bedroom, code="BED-30", category="Doors", prompt="?",
                           guidance=None, by=None, now=NOW)
    draft = library.new_draft_from(base, version="2.1", by=None, now=NOW)
    item = drafting.save_item(draft, None, area_type=bedroom, code="bed-30", category="Doors", prompt="Alarm?",
                              guidance=None, by=None, now=NOW)
    drafting.set_citation(item, alert, cites=True, section="3.1", by=None, now=NOW)
    assert item.code == "BED-30" and item.order == len(base.items_for(bedroom.id)) + 1
    with pytest.raises(library.LibraryError, match="needs a default_priority"):
        drafting.save_item(draft, item, area_type=bedroom, code="BED-30", category="Doors", prompt="Alarm tested?",
                           guidance=None, kind="check", by=None, now=NOW)
    drafting.save_item(draft, item, area_type=bedroom, code="BED-30", category="Doors", prompt="Alarm tested?",
                       guidance=None, kind="check", default_priority="high", by=None, now=NOW)
    assert (item.kind, item.default_priority, item.default_tier) == ("check", "high", "T3")
    with pytest.raises(library.LibraryError, match="already has an item BED-08"):
        drafting.save_item(draft, None, area_type=bedroom, code="BED-08", category="x", prompt="y",
                           guidance=None, by=None, now=NOW)
    assert [(a, [c.section for c in cs]) for a, cs in queries.alerts_covered(draft) if a is alert] == [(alert, ["3.1"])]
    drafting.set_citation(item, alert, cites=False, section=None, by=None, now=NOW)
    assert all(a is not alert for a, _ in queries.alerts_covered(draft))


@pytest.mark.parametrize("values, message", [
    ({"reference": "EFA/2019/003"}, "already has the reference"),
    ({"issued_on": "2025-03-01", "action_underway_by": "2025-04-01", "action_complete_by": "2025-03-20"},
     "cannot be before the action-underway"),
    ({"issued_on": "2025-03-01", "action_underway_by": "2025-02-01"}, "before the date the alert was issued"),
    ({"patient_groups": ["martian"]}, "Unknown patient group: martian"),
    ({"area_type_codes": ["XYZ"]}, "Unknown area type: XYZ"),
    ({"title": "  "}, "Give the alert's title"),
])
def test_save_alert_refuses_inconsistent_records(efa, values, message):
    values = {k: date.fromisoformat(v) if k.endswith(("_on", "_by")) else v for k, v in values.items()}
    values.setdefault("title", "Another alert")
    with pytest.raises(services.AlertError, match=message):
        services.save_alert(None, by=None, now=NOW, issuing_body="Body", **values)


def test_fixture_checks_become_due_overdue_and_failed_checks_fall_due_at_once(demo, make_fixture):
    fixture = make_fixture(interval_days=30, when=datetime(2025, 1, 1, 9))
    [row] = queries.fixture_rows(today=datetime(2025, 1, 2).date(), ward_id=demo["wards"]["Larch Ward"])
    assert (str(row.next_due), row.state.value) == ("2025-01-01", "overdue")
    inspector = db.session.get(User, demo["users"]["inspector"])
    services.record_check(fixture, result="pass", notes=None, by=inspector, now=datetime(2025, 1, 2, 10))
    [row] = queries.fixture_rows(today=datetime(2025, 1, 25).date(), room_id=fixture.room_id)
    assert (str(row.next_due), row.state.value) == ("2025-02-01", "due")
    with pytest.raises(services.AlertError, match="Say what failed"):
        services.record_check(fixture, result="fail", notes=" ", by=inspector, now=datetime(2025, 1, 26))
    services.record_check(fixture, result="fail", notes="Track does not release", by=inspector,
                          now=datetime(2025, 1, 26, 9))
    [row] = queries.fixture_rows(today=datetime(2025, 1, 27).date())
    assert row.state.value == "overdue"
    counts = queries.fixture_counts(today=datetime(2025, 1, 27).date())
    assert counts[demo["wards"]["Larch Ward"]]["overdue"] == 1


def test_the_cli_loads_builtin_alerts_once(app):
    from inspect_app.alerts.cli import alerts_cli

    runner = app.test_cli_runner()
    first = runner.invoke(alerts_cli, ["load-builtin"])
    assert "Added 2 alert(s): EFA/2019/003, Ligature and ligature point" in first.output
    again = runner.invoke(alerts_cli, ["load-builtin"])
    assert "Added 0 alert(s): none (all present)" in again.output


def test_fixture_rows_read_each_fixtures_latest_check_by_time_in_one_statement(demo, make_fixture):
    from datetime import timedelta

    from sqlalchemy import event

    inspector = db.session.get(User, demo["users"]["inspector"])
    track = make_fixture(interval_days=7, when=datetime(2025, 1, 1, 9))
    alarm = make_fixture(room_name="Bedroom 2", kind="door_top_alarm", label="Door-top alarm", interval_days=30,
                         when=datetime(2025, 1, 1, 9))
    for week in range(60):  # a year of weekly checks on the track
        services.record_check(track, result="pass", notes=None, by=inspector,
                              now=datetime(2025, 1, 2, 10) + timedelta(weeks=week))
    services.record_check(alarm, result="fail", notes="No sound on test", by=inspector, now=datetime(2025, 3, 1, 9))
    services.record_check(alarm, result="pass", notes=None, by=inspector, now=datetime(2025, 2, 1, 9))  # entered late
    db.session.commit()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - before_cursor_execute(conn, cursor, statement, ...)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        rows = {row.fixture.label: row for row in queries.fixture_rows(today=date(2026, 3, 10))}
        assert len(statements) == 1  # fixtures, rooms, alerts and latest checks together
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert rows["Bed-bay curtain track"].last.checked_at == datetime(2025, 1, 2, 10) + timedelta(weeks=59)
    assert rows["Door-top alarm"].last.result == "fail"  # the latest by when it was done, not by entry
    assert rows["Door-top alarm"].state.value == "overdue"  # a failed check falls due at once
    assert rows["Bed-bay curtain track"].fixture.room.name == "Bedroom 1"
