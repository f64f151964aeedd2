"""The inspection report PDF, read back with pypdf."""
from __future__ import annotations

import re
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from inspect_app.reports.pdf import render_inspection
from inspect_app.reports.pdf.heatmap import LIKELIHOOD_LABELS

from .pdf_fixtures import HOSTILE, make_inspection, make_photo, page_texts


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    """An unsigned inspection: 12 findings in 4 rooms (one with 4 photos), 60 actions."""
    report = make_inspection(
        tmp_path_factory.mktemp("photos"), rooms=4, findings_per_room=3, actions=60,
        first_finding_overrides={"description": f"Hostile {HOSTILE} text", "location": HOSTILE},
    )
    # Bedroom 2's first finding gets four photos: two beside the details, two below.
    photo_dir = tmp_path_factory.mktemp("more")
    photos = tuple(make_photo(photo_dir / f"x{i}.jpg", 900 + i) for i in range(4))
    rooms = list(report.rooms)
    findings = list(rooms[1].findings)
    findings[0] = replace(findings[0], photos=photos)
    rooms[1] = replace(rooms[1], findings=tuple(findings))
    report = replace(report, rooms=tuple(rooms))
    pdf = render_inspection(report)
    return report, pdf, page_texts(pdf)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    report = make_inspection(tmp_path_factory.mktemp("signed"), rooms=2, findings_per_room=2,
                             signed=True)
    pdf = render_inspection(report)
    return report, pdf, page_texts(pdf)


def test_every_finding_ref_appears_with_its_band_and_score(draft):
    report, _, texts = draft
    for finding in report.findings:
        chip = f"{finding.band.label} \u00b7 {finding.score}"
        assert any(finding.ref in text and chip in text for text in texts), finding.ref


def test_heat_map_prints_every_count_row_by_row(draft):
    report, _, texts = draft
    summary = next(text for text in texts if "Risk matrix" in text)
    for likelihood in range(5, 0, -1):
        counts = r"\s+".join(str(c) for c in report.heatmap[likelihood - 1])
        label = LIKELIHOOD_LABELS[likelihood - 1]
        assert re.search(rf"{likelihood}\s+{label}\s+{counts}\b", summary), label


def test_band_table_and_change_summary(draft):
    report, _, texts = draft
    summary = next(text for text in texts if "Risk matrix" in text)
    for band, count in report.band_counts:
        assert re.search(rf"{band.label}\s+\S+\s+{count}\s+\d+%", summary)
    change = report.change
    for label, value in (("New", change.new), ("Still present", change.still_present),
                         ("Fixed", change.fixed), ("Fixed but defective", change.fixed_defective)):
        assert re.search(rf"{label}\s+{value}\b", summary)


def test_every_page_says_page_x_of_y(draft):
    _, _, texts = draft
    total = len(texts)
    assert total > 5
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text


def test_marking_at_top_and_bottom_of_every_page(draft, signed):
    for _, _, texts in (draft, signed):
        for text in texts:
            assert text.count("OFFICIAL-SENSITIVE") >= 2


def watermarks(pdf: bytes) -> list[list[str]]:
    """Per page, the text drawn at watermark size (the page's ordinary text is 8-26 pt)."""
    pages = []
    for page in PdfReader(BytesIO(pdf)).pages:
        found: list[str] = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size:
                          found.append(text) if size >= 100 and text.strip() else None)
        pages.append(found)
    return pages


def test_unsigned_report_is_watermarked_draft_on_every_page(draft):
    _, pdf, texts = draft
    assert watermarks(pdf) == [["DRAFT"]] * len(texts)
    assert "Not signed off" in texts[0]


def test_signed_report_has_no_draft_and_shows_the_sign_off(signed):
    report, pdf, texts = signed
    assert watermarks(pdf) == [[]] * len(texts)
    assert not any("DRAFT" in text for text in texts)
    last = texts[-1]
    assert report.signed_off_by in last
    assert report.attestation in last.replace("\n", " ")
    assert "13 Mar 2025 17:05" in last


def test_document_metadata(draft):
    report, pdf, _ = draft
    meta = PdfReader(BytesIO(pdf)).metadata
    assert meta.title == "Ligature risk assessment \u2014 Willow Ward \u2014 12 Mar 2025"
    assert meta.author == report.generated_by
    assert meta.subject == "OFFICIAL-SENSITIVE ligature point inspection report"


def test_cover_lists_the_inspection_facts(draft):
    report, _, texts = draft
    cover = texts[0]
    for fact in (report.trust, report.site, report.ward, report.patient_group,
                 report.inspection_type, report.inspection_ref, "12 Mar 2025 09:30",
                 "Priya Shah (Estates)", "Adult acute ward ligature checklist (version 2.1)"):
        assert fact in cover, fact


def test_action_plan_header_repeats_on_every_page_it_spans(draft):
    report, _, texts = draft
    plan_pages = [text for text in texts if "ACT-0" in text]
    assert len(plan_pages) >= 2
    for text in plan_pages:
        assert re.search(r"Ref\s+Room\s+Action\s+Band\s+Interim control\s+Owner\s+Target date\s+Status", text)
    everything = "\n".join(plan_pages)
    assert all(action.ref in everything for action in report.actions)


def test_hostile_text_is_printed_literally(draft):
    _, _, texts = draft
    assert any(f"Hostile {HOSTILE} text" in text for text in texts)
    assert any(f"LP-0001 {HOSTILE}" in " ".join(text.split()) for text in texts)


def test_rooms_not_accessible_are_listed_with_reasons(draft):
    _, _, texts = draft
    summary = next(text for text in texts if "2. Rooms not accessible" in text)
    assert re.search(r"Seclusion suite 1\s+Seclusion\s+Tier 3\s+Room in use for seclusion", summary)


def test_each_findings_page_embeds_exactly_its_findings_photos(draft):
    report, pdf, texts = draft
    reader = PdfReader(BytesIO(pdf))
    photos_by_ref = {f.ref: f.photos for f in report.findings}
    plan_start = next(i for i, text in enumerate(texts) if "4. Action plan" in text)
    total = 0
    for index, (page, text) in enumerate(zip(reader.pages, texts, strict=False)):
        images = page.images
        total += len(images)
        if index >= plan_start:
            assert not images
            continue
        expected = sum(len(photos) for ref, photos in photos_by_ref.items() if ref in text)
        assert len(images) == expected, f"page {index + 1}"
    assert total == sum(len(f.photos) for f in report.findings) == 15


def test_photos_are_embedded_byte_for_byte_as_jpeg(draft):
    report, pdf, _ = draft
    reader = PdfReader(BytesIO(pdf))
    originals = {Path(p.path).read_bytes() for f in report.findings for p in f.photos}
    for page in reader.pages:
        for xobject in (page.get("/Resources", {}).get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject["/Subtype"] == "/Form":  # the page's "Page x of y", drawn once the total is known
                continue
            assert xobject["/Filter"] == ["/DCTDecode"]  # no ASCII85 layer (useA85 = 0)
            assert xobject._data in originals


def test_progress_reports_each_finding_in_order(tmp_path):
    report = make_inspection(tmp_path, rooms=2, findings_per_room=3, actions=2)
    calls = []
    render_inspection(report, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 6) for n in range(1, 7)]


def test_writes_to_a_path_or_a_file_object(tmp_path):
    report = make_inspection(tmp_path, rooms=1, findings_per_room=1, actions=1)
    target = tmp_path / "report.pdf"
    assert render_inspection(report, out=target) is None
    buffer = BytesIO()
    render_inspection(report, out=buffer)
    for data in (target.read_bytes(), buffer.getvalue()):
        assert data.startswith(b"%PDF") and len(PdfReader(BytesIO(data)).pages) >= 4


def test_a_finding_taller_than_a_page_still_renders(tmp_path):
    long_text = " ".join(["The boxing around the pipework is loose at the joint."] * 120)
    report = make_inspection(tmp_path, rooms=1, findings_per_room=2, photos_per_finding=5,
                             actions=1, first_finding_overrides={"description": long_text})
    texts = page_texts(render_inspection(report))
    assert any("LP-0001" in text for text in texts)
    assert sum("loose at the joint" in text for text in texts) >= 2  # split over pages


def test_empty_inspection_renders(tmp_path):
    report = make_inspection(tmp_path, rooms=0, findings_per_room=0, actions=0, not_accessible=2)
    texts = page_texts(render_inspection(report))
    assert "No actions were raised." in "".join(texts)


def test_bookmarks_lead_to_each_section_and_room(draft):
    report, pdf, texts = draft
    reader = PdfReader(BytesIO(pdf))
    entries = {}

    def walk(outline):
        for item in outline:
            if isinstance(item, list):
                walk(item)
            else:
                entries[item.title] = reader.get_destination_page_number(item)

    walk(reader.outline)
    assert reader.page_mode == "/UseOutlines"
    for room in report.rooms:
        assert room.name in texts[entries[room.name]]
    assert "4. Action plan" in texts[entries["4. Action plan"]]
