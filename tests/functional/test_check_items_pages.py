"""Check items and N/A reasons through the pages: the room page shows them, the report (HTML and
PDF) and the answers CSV carry them."""
from __future__ import annotations

import csv
import io

from pypdf import PdfReader

from inspect_app.extensions import db


def test_na_reasons_and_failed_checks_show_on_the_room_page_report_pdf_and_csv(walkthrough):
    room = walkthrough.room("Bedroom 1")
    items = {i.code: i for i in walkthrough.items(room)}
    assert walkthrough.answer(room, items["BED-05"], "fail").status_code == 422  # a fail needs its note
    assert walkthrough.answer(room, items["BED-05"], "fail", comment="Override key missing").status_code == 302
    assert walkthrough.answer(room, items["BED-06"], "not_applicable", na_reason="other",
                              na_detail="Panel removed for works").status_code == 302
    page = walkthrough.client.get(walkthrough.room_page(room)).get_data(as_text=True)
    assert "Failed: Override key missing" in page and "Not applicable: Other: Panel removed for works" in page
    assert "Failed check, priority" in page
    report = walkthrough.client.get(f"/reports/inspections/{walkthrough.inspection_id}").get_data(as_text=True)
    assert "Override key missing" in report and "Other: Panel removed for works" in report
    pdf = walkthrough.client.get(f"/reports/inspections/{walkthrough.inspection_id}.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Override key missing" in text and "Panel removed for works" in text and "Failed check" in text
    data = walkthrough.client.get(f"/exports/inspections/{walkthrough.inspection_id}/answers.csv")
    rows = list(csv.DictReader(io.StringIO(data.data.decode("utf-8-sig"))))
    by_item = {r["Item"]: r for r in rows}
    assert by_item["BED-06"]["Not applicable reason"] == "Other: Panel removed for works"
    assert by_item["BED-05"]["Answer"] == "Fail" and by_item["BED-05"]["Failed check"].startswith("FC-")
    assert by_item["BED-05"]["Kind"] == "Check item" and by_item["BED-05"]["Note"] == "Override key missing"
    check_id = int(by_item["BED-05"]["Failed check"][3:])
    detail = walkthrough.client.get(f"/ligature-points/{check_id}").get_data(as_text=True)
    assert "Failed check FC-" in detail and 'data-op="finding.grade"' not in detail  # never 5x5-graded
    db.session.rollback()
