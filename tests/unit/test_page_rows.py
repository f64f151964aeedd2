"""The rows the room page and the inspection overview write in Python (template_helpers) escape what
people typed and show every chip and state the templates showed."""
from __future__ import annotations

from types import SimpleNamespace as NS

from markupsafe import Markup

from inspect_app.domain.checklist import RoomProgress, RoomState
from inspect_app.domain.risk import Band
from inspect_app.template_helpers import checklist_rows, option_tags, point_rows, row_page, stale_rows, walk_rows


def _status(room_id, state, *, reason=None, findings=0, band=None):
    return NS(room=NS(id=room_id, name=f"Room <{room_id}>", tier="T3"), state=state,
              progress=RoomProgress(answered=2, total=5, state=state), not_accessible_reason=reason,
              findings=findings, highest_band=band)


def test_walk_rows_show_every_chip_and_escape_names():
    rows = str(walk_rows([_status(1, RoomState.IN_PROGRESS, findings=1, band=Band.HIGH),
                          _status(2, RoomState.NOT_ACCESSIBLE, reason="Locked & <kept>")],
                         "/inspections/7/rooms/", {1: object()}, [NS(room_id=1), NS(room_id=1)], {1: 3}))
    first, second = rows.split("</li>")[:2]
    assert 'href="/inspections/7/rooms/1">Room &lt;1&gt;</a>' in first and "2 of 5 answered" in first
    assert "1 ligature point</span>" in first and 'chip--high">High' in first
    assert "Confirmed on site by label scan" in first and first.count("Needs a second look") == 2
    assert "3 to re-check" in first
    assert "Locked &amp; &lt;kept&gt;" in second and "answered" not in second and "0 ligature points" in second
    assert "re-check" not in second and "second look" not in second


def test_checklist_rows_keep_answers_words_and_points_visible():
    items = [NS(id=1, code="A-1", kind="ligature", prompt="Door <top>?", guidance=None),
             NS(id=2, code="C-1", kind="check", prompt="Alarm tested?", guidance="Press & hold")]
    answers = {1: "not_applicable", 2: "fail"}
    notes = {1: (None, "other", "Wall <gone>"), 2: ("Siren silent", None, None)}
    points = {2: [NS(id=9, ref="FC-00009", is_check=True, band="high")]}
    page = row_page(True, Markup('<input type="hidden" name="csrf_token" value="t">'), "/inspections/answer",
                    "/ligature-points/", "/ligature-points/new?inspection_id=1&room_id=2")
    html = str(checklist_rows(items, answers, notes, points, page))
    assert "Door &lt;top&gt;?" in html and "Press &amp; hold" in html
    assert "Not applicable: Other: Wall &lt;gone&gt;" in html and 'value="Wall &lt;gone&gt;"' in html
    assert "Failed: Siren silent" in html and ">Siren silent</textarea>" in html
    assert 'Failed check, priority <span class="chip chip--high">' in html
    assert html.count("<details class=\"answer-more\" open>") == 2  # N/A and fail show their words
    read_only = str(checklist_rows(items, answers, notes, points, page._replace(live=False)))
    assert "<form" not in read_only and "Answer: <strong>Not applicable</strong>" in read_only
    assert "Answer: <strong>Fail</strong>" in read_only and "Not applicable: Other: Wall &lt;gone&gt;" in read_only


def test_an_empty_action_list_says_so(app):
    from datetime import datetime

    from inspect_app.template_helpers import action_cards

    with app.test_request_context("/"):
        assert str(action_cards([], datetime(2026, 12, 5, 9, 0), "Nothing <matches>.")) == \
            '<li class="empty">Nothing &lt;matches&gt;.</li>\n'


def test_filter_options_mark_the_chosen_one_and_escape_names():
    html = str(option_tags([(1, "Larch <Acute>"), (2, "Oak & Ash")], 2))
    assert html == ('<option value="1">Larch &lt;Acute&gt;</option>'
                    '<option value="2" selected>Oak &amp; Ash</option>')
    assert " selected" not in str(option_tags([("open", "All open")], None))


def test_stale_ward_rows_give_every_reason_and_escape_names():
    from datetime import datetime

    html = str(stale_rows([NS(ward_name="Elm <2>", site_name="North & South", last_signed_off=None,
                              template_title=None, reasons=("No full annual assessment signed off",)),
                           NS(ward_name="Oak", site_name="North", last_signed_off=datetime(2025, 3, 4),
                              template_title="Library v1", reasons=("Last assessment over 12 months ago",
                                                                    "Used an older checklist version"))]))
    first, second = html.split("</tr>")[:2]
    assert "Elm &lt;2&gt; <span class=\"muted\">(North &amp; South)</span>" in first and "<td>—</td><td>—</td>" in first
    assert "4 Mar 2025" in second and "Library v1" in second
    assert "Last assessment over 12 months ago; Used an older checklist version" in second


def test_point_rows_number_from_the_page_and_escape_what_was_typed(app):
    from inspect_app.inspections.walk import RoomPoint

    points = [RoomPoint(7, "ligature", 3, "high", 12, "Door", "Closer <arm>", "Top & left", "u-1"),
              RoomPoint(8, "check", None, None, None, "Window & frame", "", None, None)]
    with app.test_request_context("/"):
        first, second = str(point_rows(points, 26, "/ligature-points/")).split("</li>")[:2]
    assert 'href="/ligature-points/7">LP-00007</a>' in first and 'chip--high">High' in first and "score 12" in first
    assert "Closer &lt;arm&gt; · Top &amp; left" in first and "Item 26" in first
    assert 'src="/photos/u-1/thumb.jpg" alt="Photo of LP-00007"' in first
    assert "FC-00008" in second and "Not graded" in second and "Window &amp; frame" in second
    assert "Item 27" in second and "<img" not in second
