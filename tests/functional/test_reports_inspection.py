"""The inspection report downloaded as a PDF and read as HTML, over a real database: every point
with its band, the heat map, the change summary, page furniture, escaping and who may see it."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import event

from inspect_app.extensions import db
from inspect_app.reports import collect
from tests.fixtures.reports import HOSTILE, fetch_pdf, pdf_pages

BANDS = {"low": "Low", "moderate": "Moderate", "high": "High", "extreme": "Extreme"}


def _download(auth, email, inspection_id):
    auth.login(email)
    return fetch_pdf(auth.client, f"/reports/inspections/{inspection_id}.pdf")


def test_signed_off_report_lists_every_point_with_its_band_and_page_furniture(app, auth, make_report_inspection):
    made = make_report_inspection()
    response = _download(auth, "safety@demo.nhs.test", made.inspection.id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_pages(response.data)
    text = "\n".join(pages)
    for point in made.points:
        band = BANDS[point.band]
        # The card header prints "LP-00001 <location>" and a chip "<Band> · <score>".
        assert re.search(rf"{point.ref}.*?{band} \u00b7 {point.score}", text, re.S), point.ref
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks the top and bottom marking"
        assert f"Page {number} of {len(pages)}" in page
        assert "DRAFT" not in page
    assert HOSTILE in text.replace("\n", " ") or "<script>alert" in text  # printed literally, not as markup
    assert "Signed off by Sam Okafor" in text
    meta = PdfReader(io.BytesIO(response.data)).metadata
    assert meta.title.startswith("Ligature risk assessment") and "Larch Ward" in meta.title
    assert meta.author == "Dr Helen Marsh" and "OFFICIAL-SENSITIVE" in meta.subject


def test_heat_map_and_summary_count_points_still_present(app, auth, make_report_inspection):
    made = make_report_inspection()
    with app.app_context():
        inspection = collect.load_inspection(made.inspection.id)
        report = collect.inspection_report(inspection, by=inspection.lead_inspector, now=inspection.signed_off_at)
    heat = {(li + 1, ci + 1): n for li, row in enumerate(report.heatmap) for ci, n in enumerate(row) if n}
    # Still present (4x4), fixed but defective (2x5), new extreme (5x5), new moderate (2x2); the fixed 3x3 is gone.
    assert heat == {(4, 4): 1, (2, 5): 1, (5, 5): 1, (2, 2): 1}
    change = report.change
    assert (change.new, change.still_present, change.fixed, change.fixed_defective) == (2, 1, 1, 1)
    assert change.previous_inspection == made.previous.ref
    assert report.finding_count == 5
    assert all(p.path.startswith("/") and p.path.endswith(".jpg") for f in report.findings for p in f.photos)

    text = "\n".join(pdf_pages(_download(auth, "inspector@demo.nhs.test", made.inspection.id).data))
    # The heat map row for likelihood 2 reads its five counts left to right.
    # The 2x2 point sits in a Tier 3 en-suite, so the tier rule made it High: its cell is drawn High
    # (never in the matrix's Moderate colour) and marked * for the key.
    assert report.raised(2, 2) and report.cell_bands[1][1].code == "high" and report.band_matrix[1][1].code == "moderate"
    assert re.search(r"2\s+Unlikely\s+0\s+1\*\s+0\s+0\s+1", text), "heat map row 2 not printed as counted"
    assert "holds a point raised above the matrix band by the tier rule" in " ".join(text.split())
    assert re.search(r"Still present\s+1", text) and re.search(r"Fixed but defective\s+1", text)


def test_draft_report_is_watermarked_and_named_as_a_draft(auth, make_report_inspection):
    made = make_report_inspection(signed=False)
    response = _download(auth, "inspector@demo.nhs.test", made.inspection.id)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(r'filename="?ligature-report-larch-ward-\d{4}-\d\d-\d\d-ins-\d+-DRAFT\.pdf', disposition)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert all("DRAFT" in page for page in pdf_pages(response.data))


def test_ward_manager_gets_404_for_another_wards_report_and_an_inspector_does_not(app, auth,
                                                                                     make_report_inspection):
    made = make_report_inspection(ward="Rowan Ward", previous=False)  # the demo manager manages Larch and Willow
    assert _download(auth, "manager@demo.nhs.test", made.inspection.id).status_code == 404
    assert auth.client.get(f"/reports/inspections/{made.inspection.id}").status_code == 404
    auth.logout()
    assert _download(auth, "inspector@demo.nhs.test", made.inspection.id).status_code == 200


def test_ward_manager_downloads_their_own_wards_report(auth, make_report_inspection):
    made = make_report_inspection(previous=False)
    response = _download(auth, "manager@demo.nhs.test", made.inspection.id)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_collecting_a_report_takes_the_same_number_of_queries_whatever_its_size(app, make_report_inspection):
    small = make_report_inspection(ward="Willow Ward", previous=False)
    large = make_report_inspection()

    def count(inspection_id):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731 - before_cursor_execute's statement
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                inspection = collect.load_inspection(inspection_id)
                collect.inspection_report(inspection, by=inspection.lead_inspector, now=inspection.started_at)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    # 14 before the assurance sections; then signatories, label scans, N/A answers, second-look
    # answers and photo counts, the ward's last annual assessment, its incidents since then and its
    # floor plan (one statement each). The points come in chunks of collect_rows.CHUNK (five statements
    # each: points, grades, photos, actions, acceptance events); both inspections fit one.
    assert count(small.inspection.id) == count(large.inspection.id) <= 22


def test_html_report_shows_the_same_points_escaped_with_photo_urls(auth, make_report_inspection):
    made = make_report_inspection()
    auth.login("safety@demo.nhs.test")
    response = auth.client.get(f"/reports/inspections/{made.inspection.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    for ref in made.refs:
        assert ref in html
    photos = re.findall(r'<img src="(/photos/[0-9a-f-]+/report\.jpg)"', html)
    assert len(photos) == 6  # 3 carried forward (one each) + 1 + 2 on the new points
    with auth.client.get(photos[0]) as photo:  # a streamed file: close it
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert 'href="/reports/inspections/%d.pdf"' % made.inspection.id in html
