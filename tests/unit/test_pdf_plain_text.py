"""Plain text in the report drawn without Paragraphs, and finding cards built as the layout reaches them."""
from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Spacer

from inspect_app.reports.pdf import findings as findings_pdf
from inspect_app.reports.pdf import render_inspection
from inspect_app.reports.pdf.flowables import Deferred, RichLines, TextLines, expand_deferred, rich_block, text_block
from inspect_app.reports.pdf.styles import STYLES, Para, cell_text, wrap_plain

from .pdf_fixtures import make_inspection, page_texts

SMALL = STYLES["Small"]
TEXTS = [
    "Exposed window restrictor arm; the gap behind it could take a ligature. " * 3,
    "Short.",
    "Hourly observation;   room locked when not in use.",
    "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z " * 4,
    "Wardrobe rail (collapsible, tested to 15 kg) fitted 2019 \u2014 re-check due",
]


def _paragraph_lines(text: str, width: float) -> list[str]:
    para = Paragraph(text, SMALL)
    para.wrap(width, 1000)
    return [" ".join(line[1]) for line in para.blPara.lines]


@pytest.mark.parametrize("width", [120.0, 220.94, 311.65])
@pytest.mark.parametrize("text", TEXTS)
def test_plain_text_breaks_where_a_paragraph_breaks_it(text, width):
    assert wrap_plain(text, SMALL, width) == _paragraph_lines(text, width)


def test_a_cell_is_a_plain_string_with_the_paragraphs_lines_and_its_line_breaks():
    cell = cell_text(f"\u2022 {TEXTS[0]}<br/>\u2022 Second reason", SMALL, 220.94)
    assert isinstance(cell, str)
    assert cell.split("\n") == [*_paragraph_lines(f"\u2022 {TEXTS[0]}", 220.94), "\u2022 Second reason"]
    assert cell_text("Fits", SMALL, 220.94) == "Fits"


@pytest.mark.parametrize("text", ["<b>bold</b> words", "Tom &amp; Jerry", "no\xa0break", "x" * 200, "soft\xadhyphen"])
def test_markup_entities_no_break_spaces_and_words_wider_than_the_cell_stay_paragraphs(text):
    assert isinstance(cell_text(text, SMALL, 100), Para)
    assert isinstance(text_block(text, SMALL, 100), Paragraph)


def test_a_text_block_measures_as_its_lines():
    block = text_block(f"{TEXTS[0]}<br/>Photo", STYLES["Tiny"], 161.57)
    assert isinstance(block, TextLines)
    assert block.wrap(161.57, 1000)[1] == STYLES["Tiny"].leading * len(block.lines)
    assert block.lines[-1][0] == "Photo"


def test_deferred_parts_are_built_at_the_front_and_along_a_keep_with_next_run():
    heading = Paragraph("Room", STYLES["H2"])  # keepWithNext
    built = []

    def part(name):
        return Deferred(lambda: built.append(name) or [Spacer(1, 1)])

    flowables = [heading, part("first"), part("second")]
    expand_deferred(flowables)
    assert built == ["first"] and isinstance(flowables[1], Spacer) and isinstance(flowables[2], Deferred)
    flowables = [Spacer(1, 1), part("third")]
    expand_deferred(flowables)
    assert built == ["first"] and isinstance(flowables[1], Deferred)


def test_finding_cards_are_built_only_as_the_layout_reaches_them(tmp_path, monkeypatch):
    """A long report never holds every card: when a finding is laid out, at most the next few are built."""
    report = make_inspection(tmp_path, rooms=3, findings_per_room=8, actions=2)
    built, ahead = [], []
    original = findings_pdf.FindingCardBuilder.build
    monkeypatch.setattr(findings_pdf.FindingCardBuilder, "build",
                        lambda self, finding: built.append(finding.ref) or original(self, finding))
    pdf = render_inspection(report, progress=lambda done, total: ahead.append(len(built) - done))
    assert len(built) == 24 and max(ahead) <= 2
    text = "\n".join(page_texts(pdf))
    assert all(f.ref in text for room in report.rooms for f in room.findings)


def _drawn_lines(flowable, width: float) -> list[str]:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(400, 200))
    _, height = flowable.wrap(width, 200)
    flowable.drawOn(canvas, 10, 190 - height)
    canvas.save()
    text = PdfReader(BytesIO(buffer.getvalue())).pages[0].extract_text()
    return [" ".join(line.split()) for line in text.splitlines()]


@pytest.mark.parametrize("width", [150.0, 220.94, 311.65])
@pytest.mark.parametrize("score, band", [("6", "High"), ("25", "Extreme"), ("1", "Very low")])
def test_a_grade_line_in_mixed_fonts_reads_and_breaks_as_its_paragraph(score, band, width):
    runs = [("Likelihood 3 Possible \u00d7 consequence 2 Minor = ", SMALL.fontName), (score, "Helvetica-Bold"),
            (" (", SMALL.fontName), (band, "Helvetica-Bold"), (")", SMALL.fontName)]
    rich = rich_block(runs, SMALL, width)
    para = Paragraph(f"Likelihood 3 Possible \u00d7 consequence 2 Minor = <b>{score}</b> (<b>{band}</b>)", SMALL)
    assert isinstance(rich, RichLines)
    assert rich.wrap(width, 200)[1] == para.wrap(width, 200)[1]
    assert _drawn_lines(rich, width) == _drawn_lines(para, width)


@pytest.mark.parametrize("text", ["a<br/><br/>b", "a<br/>", "<br/>a", "a <br/> b", "a<br/><br/>", "a<br/> ",
                                  "a<br/>b<br/>", "\u2022 one<br/>\u2022 two"])
def test_line_breaks_give_the_paragraphs_number_of_lines(text):
    lines = cell_text(text, SMALL, 200).split("\n")
    assert len(lines) * SMALL.leading == Paragraph(text, SMALL).wrap(200, 1000)[1]
    assert text_block(text, SMALL, 200).wrap(200, 1000)[1] == len(lines) * SMALL.leading
