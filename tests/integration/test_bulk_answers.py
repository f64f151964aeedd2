"""'Mark remaining items compliant' is one bulk answer (audited once, shown in the report), refused
when the room changed since the count was shown; Compliant on an item with a point is refused."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.findings import services as findings
from inspect_app.findings import withdrawal
from inspect_app.inspections import answering
from inspect_app.inspections import services as inspections
from inspect_app.inspections.models import Answer
from inspect_app.reports.collect import inspection_report, load_inspection
from inspect_app.reports.pdf.inspection import render_inspection


@pytest.fixture
def bedroom(demo):
    inspector = db.session.get(User, demo["users"]["inspector"])
    ward = db.session.get(Ward, demo["wards"]["Larch Ward"])
    inspection = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Sam Okafor"],
                                              by=inspector, now=utcnow())
    room = db.session.scalar(select(Room).where(Room.ward_id == ward.id, Room.name == "Bedroom 1"))
    db.session.commit()
    return inspector, inspection, room, inspections.room_items(inspection, room)


def test_remaining_items_marked_compliant_as_one_audited_bulk_answer_shown_in_the_report(bedroom):
    inspector, inspection, room, items = bedroom
    answering.record_answer(inspection=inspection, room=room, item=items[0], value="not_applicable",
                            na_reason="not_present", by=inspector, now=utcnow())
    answering.record_answer(inspection=inspection, room=room, item=items[1], value="ligature_point",
                            by=inspector, now=utcnow())
    findings.record_finding(inspection=inspection, room=room, item=items[1], category=items[1].category,
                            description="Door closer arm", likelihood=2, consequence=3, by=inspector, now=utcnow())
    remaining = sum(not i.is_check for i in items) - 2  # check items are answered one by one, never in bulk
    with pytest.raises(inspections.InspectionError, match=f"{remaining} items are unanswered now"):
        answering.mark_remaining_compliant(inspection=inspection, room=room, expected=remaining + 1,
                                           by=inspector, now=utcnow())
    marked = answering.mark_remaining_compliant(inspection=inspection, room=room, expected=remaining,
                                                by=inspector, now=utcnow())
    db.session.commit()
    assert len(marked) == remaining and {a.value for a in marked} == {"compliant"}
    values = dict(db.session.execute(select(Answer.item_id, Answer.value).where(Answer.room_id == room.id)).all())
    assert values[items[0].id] == "not_applicable" and values[items[1].id] == "ligature_point"  # untouched
    bulk_events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answer.bulk_compliant")).all()
    assert len(bulk_events) == 1 and bulk_events[0].new["count"] == remaining
    with pytest.raises(inspections.InspectionError, match="already answered"):
        answering.mark_remaining_compliant(inspection=inspection, room=room, expected=0, by=inspector,
                                           now=utcnow())

    report = inspection_report(load_inspection(inspection.id), by=inspector, now=utcnow())
    assert {r.name: r.bulk_compliant for r in report.rooms}["Bedroom 1"] == remaining
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(render_inspection(report))).pages)
    assert f"({remaining} marked compliant in one bulk answer)" in text

    # Changed on its own later, an answer is no longer part of the bulk answer.
    answering.record_answer(inspection=inspection, room=room, item=items[2], value="not_applicable",
                            na_reason="repurposed", by=inspector, now=utcnow())
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.bulk.is_(True))) == remaining - 1


def test_compliant_on_an_item_with_a_recorded_point_is_refused_until_withdrawn(bedroom):
    inspector, inspection, room, items = bedroom
    point = findings.record_finding(inspection=inspection, room=room, item=items[0], category=items[0].category,
                                    description="Hook", likelihood=2, consequence=3, by=inspector, now=utcnow())
    with pytest.raises(inspections.InspectionError, match=f"{point.ref} is recorded against this item"):
        answering.record_answer(inspection=inspection, room=room, item=items[0], value="compliant",
                                by=inspector, now=utcnow())
    withdrawal.withdraw_finding(point, reason="Not a hook: a coat peg that collapses", by=inspector, now=utcnow())
    assert answering.record_answer(inspection=inspection, room=room, item=items[0], value="compliant",
                                   by=inspector, now=utcnow()).value == "compliant"
