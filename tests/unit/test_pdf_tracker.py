"""The remediation tracker PDF, read back with pypdf."""
from __future__ import annotations

import re
from dataclasses import replace
from io import BytesIO

import pytest
from pypdf import PdfReader

from inspect_app.reports.pdf import render_tracker

from .pdf_fixtures import HOSTILE, make_tracker, page_texts

HEADER = r"Ref\s+Ward\s+Room\s+Action\s+Band\s+Owner\s+Status\s+Interim control\s+Target date"


@pytest.fixture(scope="module")
def tracker():
    report = make_tracker(40)
    actions = list(report.actions)
    actions[0] = replace(actions[0], summary=f"Box in pipework {HOSTILE}")
    report = replace(report, actions=tuple(actions))
    pdf = render_tracker(report)
    return report, pdf, page_texts(pdf)


def test_is_a4_landscape_with_metadata(tracker):
    report, pdf, _ = tracker
    reader = PdfReader(BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    assert reader.metadata.title == "Ligature remediation tracker \u2014 Whole trust"
    assert reader.metadata.author == report.generated_by
    assert reader.metadata.subject == "OFFICIAL-SENSITIVE ligature remediation tracker"


def test_title_block_shows_scope_filters_and_who_generated_it(tracker):
    _, _, texts = tracker
    first = texts[0]
    for text in ("Ligature remediation tracker", "Whole trust", "Status: Open; Band: All",
                 "14 Mar 2025 16:45 by Chris Lee"):
        assert text in first


def test_summary_counts_actions_and_overdue_by_band(tracker):
    report, _, texts = tracker
    bands = list(reversed(report.bands))
    counts = [sum(a.band.code == b.code for a in report.actions) for b in bands]
    overdue = [sum(a.band.code == b.code and a.is_overdue for a in report.actions) for b in bands]
    first = texts[0]
    assert re.search(r"Actions\s+" + r"\s+".join(map(str, counts + [len(report.actions)])), first)
    assert re.search(r"Overdue\s+" + r"\s+".join(map(str, overdue + [sum(overdue)])), first)


def test_every_action_appears_with_its_band_and_overdue_days(tracker):
    report, _, texts = tracker
    everything = "\n".join(texts)
    for action in report.actions:
        row = re.search(rf"{action.ref}\b.*?(?=ACT-|\Z)", everything, re.S).group(0)
        assert action.band.label in row
        overdue = str(action.overdue_days) if action.is_overdue else "\u2014"
        assert re.search(rf"\b{action.age_days}\s+{overdue}", row), action.ref


def test_header_row_repeats_on_every_page(tracker):
    _, _, texts = tracker
    assert len(texts) >= 3
    for text in texts:
        assert re.search(HEADER, text)


def test_marking_and_page_numbers_on_every_page(tracker):
    _, _, texts = tracker
    for number, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(texts)}" in text
        assert "DRAFT" not in text


def test_hostile_text_is_printed_literally(tracker):
    _, _, texts = tracker
    assert any(f"Box in pipework {HOSTILE}" in " ".join(text.split()) for text in texts)


def test_progress_counts_rows_as_pages_fill():
    report = make_tracker(40)
    calls = []
    render_tracker(report, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= 3
    assert calls[-1] == (40, 40)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_no_actions_still_renders():
    texts = page_texts(render_tracker(make_tracker(0, filters=())))
    assert "No actions match these filters." in texts[0]
    assert "None (all actions in scope)" in texts[0]
