"""The room QR label sheet: text read back with pypdf, QR codes decoded with zbarimg."""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from io import BytesIO

import pytest
from pypdf import PdfReader

from inspect_app.reports.data import RoomLabel
from inspect_app.reports.pdf import label_flowable, render_labels

from .pdf_fixtures import HOSTILE, make_label_sheet, page_texts


@pytest.fixture(scope="module")
def sheet():
    labels = make_label_sheet(13)
    pdf = render_labels(labels)
    return labels, pdf, page_texts(pdf)


def test_ten_labels_a_page_each_room_on_its_page(sheet):
    labels, _, texts = sheet
    assert len(texts) == 2
    for index, label in enumerate(labels.labels):
        text = texts[index // 10]
        assert f"{label.room}\n" in text + "\n"
        assert label.url in text


def test_marking_and_page_numbers_on_every_page(sheet):
    _, _, texts = sheet
    for number, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(texts)}" in text


def test_metadata(sheet):
    _, pdf, _ = sheet
    meta = PdfReader(BytesIO(pdf)).metadata
    assert meta.title == "Room QR labels \u2014 Willow Ward, Fernbrook Demo Hospital"
    assert meta.subject == "OFFICIAL-SENSITIVE room labels for ligature inspections"


def test_qr_widget_is_given_the_exact_url():
    label = RoomLabel("Bedroom 1", "Willow Ward", "Fernbrook Demo Hospital",
                      "https://inspect.example.test/r/1000?x=1&y=<2>")
    flowable = label_flowable(label)
    assert flowable.qr.value == label.url
    qr = flowable.qr
    qr.qr.make()
    modules = qr.qr.getModuleCount()
    printed_mm = qr.barWidth * modules / (modules + 2 * qr.barBorder) * 25.4 / 72
    assert printed_mm >= 30  # the code itself, quiet zone excluded


@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
                    reason="needs zbar-tools and poppler-utils")
def test_qr_codes_decode_to_the_room_urls(sheet, tmp_path):
    labels, pdf, _ = sheet
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(source),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    result = subprocess.run(["zbarimg", "--quiet", "--raw", "--nodbus", str(png)],
                            capture_output=True, text=True, check=True)
    assert sorted(result.stdout.split()) == sorted(label.url for label in labels.labels[:10])


def test_hostile_room_name_is_printed_literally():
    sheet = make_label_sheet(1)
    hostile = replace(sheet.labels[0], room=f"Bedroom {HOSTILE}")
    texts = page_texts(render_labels(replace(sheet, labels=(hostile,))))
    assert f"Bedroom {HOSTILE}" in " ".join(texts[0].split())  # the name wraps


def test_progress_counts_labels():
    calls = []
    render_labels(make_label_sheet(12), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 12) for n in range(1, 13)]


def test_empty_sheet_renders():
    texts = page_texts(render_labels(make_label_sheet(0)))
    assert "There are no rooms to label." in texts[0]
