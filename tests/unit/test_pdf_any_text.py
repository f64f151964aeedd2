"""Any text a user can enter, of any length and shape within the field limits, renders in every
report: cells split across pages or continue on the next, nothing raises, and a script Helvetica
lacks prints in an embedded font or by name (never a box). Hypothesis drives every PDF builder."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_app.alerts.evidence import EvidencePoint, EvidenceReport, EvidenceWard
from inspect_app.alerts.pdf import render_evidence
from inspect_app.domain.alerts import Deadline
from inspect_app.reports.pdf import render_inspection, render_labels, render_tracker
from inspect_app.reports.pdf.glyphs import font_for, markup, visible_name
from tests.unit.pdf_fixtures import make_inspection, make_label_sheet, make_tracker, page_texts

SCRIPTS = ("Door closer ", "<b>&amp;</script><para> ", "مرحبا بالعالم ", "שלום עולם ", "Привет мир ",
           "病房安全检查 ", "🪢😀🧷👍🏽 ", "e\u0301 ", "\u200f\u200d", "\t", "x" * 300)


def shaped(limit: int):
    """Text up to ``limit`` characters: long lines, many short lines, long words, markup,
    right-to-left, emoji, CJK, or a mix of them."""
    pieces = st.lists(st.sampled_from(SCRIPTS + ("\n", "\r\n")), max_size=40).map("".join)
    many_short = st.integers(1, limit // 2).map(lambda n: "a\n" * n)
    long_word = st.integers(1, limit).map(lambda n: "W" * n)
    wild = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200)
    return st.one_of(pieces, many_short, long_word, wild, st.just("")).map(lambda t: t[:limit])


PDF_SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                HealthCheck.function_scoped_fixture])


def _check(pdf: bytes) -> None:
    pages = page_texts(pdf)
    assert pages and all("OFFICIAL-SENSITIVE" in text for text in pages)


@PDF_SETTINGS
@given(interim=shaped(2000), summary=shaped(2000), room=shaped(120), owner=shaped(200), ward=shaped(120))
def test_any_action_text_renders_in_the_tracker(interim, summary, room, owner, ward):
    tracker = make_tracker(3)
    actions = tuple(replace(a, interim_control=interim, summary=summary, room=room, owner=owner, ward=ward)
                    for a in tracker.actions)
    _check(render_tracker(replace(tracker, actions=actions, filters=(("Ward", ward or "All"),))))


@PDF_SETTINGS
@given(description=shaped(2000), controls=shaped(2000), action=shaped(2000), location=shaped(500),
       category=shaped(80), reason=shaped(1000))
def test_any_point_text_renders_in_the_inspection_report(tmp_path, description, controls, action, location,
                                                         category, reason):
    report = make_inspection(tmp_path, rooms=1, findings_per_room=1, photos_per_finding=1,
                             first_finding_overrides={"description": description, "existing_controls": controls,
                                                      "recommended_action": action, "location": location,
                                                      "category": category})
    rooms = tuple(replace(r, not_accessible_reason=reason) if r.state == "not_accessible" else r for r in report.rooms)
    actions = tuple(replace(a, summary=description, room=location[:120]) for a in report.actions)
    _check(render_inspection(replace(report, rooms=rooms, actions=actions, ward=category or "Ward")))


@PDF_SETTINGS
@given(room=shaped(120), ward=shaped(120), site=shaped(120))
def test_any_room_and_ward_name_renders_on_the_label_sheet(room, ward, site):
    sheet = make_label_sheet(2)
    labels = tuple(replace(label, room=room, ward=ward, site=site) for label in sheet.labels)
    _check(render_labels(replace(sheet, labels=labels, ward=ward)))


@PDF_SETTINGS
@given(description=shaped(2000), note=shaped(2000), room=shaped(120), actions=shaped(4000))
def test_any_text_renders_in_the_alert_evidence_pack(description, note, room, actions):
    point = EvidencePoint(ref="LP-0001", room=room, item="BED-08", description=description, band="High",
                          action_ref="ACT-0001", action_status="Open", target_date=date(2025, 4, 1),
                          action_open=True)
    report = EvidenceReport(
        marking="OFFICIAL-SENSITIVE", trust="Demo trust (invented)", alert_label="Alert", alert_title=note[:300],
        reference="NatPSA/2025/001", issuing_body="Invented body", issued_on=date(2025, 1, 2), restricted=False,
        required_actions=actions, scope="Adult wards", response="In progress", response_note=note,
        response_by="Chris Lee", response_at=datetime(2025, 3, 1, 9, 0),
        deadlines=(Deadline(label="Action complete", due=date(2025, 6, 1), met=False, days_left=30),),
        items=("BED-08 (Ligature checklist v1.0)",),
        wards=(EvidenceWard(name=room or "Ward", site="Site", patient_group="Adult", state="assessed",
                            inspection=None, points=(point,) * 3),),
        generated_at=datetime(2025, 3, 14, 16, 45), generated_by="Chris Lee")
    _check(render_evidence(report))


def test_a_ward_managers_tall_interim_control_no_longer_breaks_the_tracker():
    # the probe: 2,000 characters of short lines in one cell was taller than a page (LayoutError)
    tracker = make_tracker(2)
    actions = tuple(replace(a, interim_control="Check\n" * 333) for a in tracker.actions)
    pages = page_texts(render_tracker(replace(tracker, actions=actions)))
    assert len(pages) > 2 and sum(text.count("Check") for text in pages) == 666  # every line printed


@pytest.mark.parametrize("text,font", [("Привет", "WSI-DejaVuSans"), ("שלום", "WSI-DejaVuSans"),
                                       ("مرحبا", "WSI-DejaVuSans"), ("病房", "WSI-DroidFallback")])
def test_common_non_latin_scripts_are_set_in_an_embedded_font(text, font):
    assert all(font_for(c) == font for c in text)
    assert f'<font name="{font}">{text}</font>' == markup(text)


def test_a_character_no_font_has_prints_by_name():
    assert visible_name("\U0001FAA2") == "[KNOT]"
    assert markup("rope \U0001FAA2") == "rope [KNOT]"
    assert "KNOT" in page_texts(render_tracker(replace(make_tracker(1), filters=(("Note", "\U0001FAA2"),))))[0]


EMOJI = "🪢😀🧷👍🏽 " * 400


@pytest.mark.parametrize("overrides", [
    {"description": EMOJI[:200]},  # 200 emoji print as about 4,000 characters of names: measured, then split
    {"location": EMOJI[:500]},  # a first field taller than a page must not be kept with the header
    {"description": EMOJI[:2000], "existing_controls": EMOJI[:2000], "recommended_action": EMOJI[:2000],
     "location": EMOJI[:500], "category": EMOJI[:80]},
], ids=["emoji-description", "emoji-location", "emoji-everywhere"])
def test_emoji_that_print_as_names_never_stop_or_stall_the_inspection_report(tmp_path, overrides):
    report = make_inspection(tmp_path, rooms=1, findings_per_room=1, photos_per_finding=1,
                             first_finding_overrides=overrides)
    pdf = render_inspection(report)
    _check(pdf)
    assert "[KNOT]" in " ".join(" ".join(page_texts(pdf)).split())
