"""The inspection report is collected as plain rows, a chunk of points at a time (reports/collect_rows.py):
no mapped point, grade, photo or action is loaded, and the snapshot is the same whatever the chunk size."""
from __future__ import annotations

from inspect_app.actions.models import Action, ActionEvent
from inspect_app.extensions import db
from inspect_app.findings.models import Finding, FindingGrade
from inspect_app.photos.models import Photo
from inspect_app.reports import collect, collect_rows

PER_POINT = (Finding, FindingGrade, Photo, Action, ActionEvent)


def _collect(app, inspection_id: int):
    """The report in a fresh app context (its own session), and the mapped per-point objects it loaded."""
    with app.app_context():
        inspection = collect.load_inspection(inspection_id)
        report = collect.inspection_report(inspection, by=inspection.lead_inspector, now=inspection.signed_off_at)
        loaded = sorted({type(obj).__name__ for obj in db.session.identity_map.values() if isinstance(obj, PER_POINT)})
    return report, loaded


def test_report_reads_plain_rows_and_is_the_same_in_chunks_of_two(app, make_report_inspection, monkeypatch):
    made = make_report_inspection()
    whole, loaded = _collect(app, made.inspection.id)
    assert loaded == []  # nothing per point held by the session
    assert whole.finding_count == 5 and len(whole.actions) >= 1 and whole.change.new == 2
    assert sum(len(f.photos) for f in whole.findings) == 6

    monkeypatch.setattr(collect_rows, "CHUNK", 2)  # 5 points: chunks of 2, 2 and 1
    chunked, _ = _collect(app, made.inspection.id)
    assert chunked == whole
    assert [f.ref for f in chunked.findings] == [f.ref for f in whole.findings]

    monkeypatch.setattr(collect_rows, "CHUNK", 5)  # exactly one full chunk, then an empty one
    assert _collect(app, made.inspection.id)[0] == whole
