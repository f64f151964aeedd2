"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from flask import Flask, current_app, g, url_for
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from inspect_app import public_url
from inspect_app.api.rules import form_rules
from inspect_app.clock import utcnow
from inspect_app.domain import grading, risk
from inspect_app.domain.checklist import Answer, ItemKind, NaReason, na_reason_text
from inspect_app.domain.workflow import Role
from inspect_app.findings import services as finding_services
from inspect_app.wording import fmt_date, fmt_datetime, interim_kind_label, load_bearing_label, observation_label


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """A short relative time: "just now", "2 h ago", "3 days ago"."""
    if value is None:
        return "never"
    seconds = int(((now or utcnow()) - value).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''} ago"


def band_chip(band, label: str | None = None) -> Markup:
    """A risk band as a coloured chip: a Band, a band code ("high") or None ("None").

    A Python global rather than a Jinja macro: lists render one per row, and a function call
    costs a small fraction of a macro call.
    """
    if not band:
        return Markup('<span class="chip chip--none">None</span>')
    return _chip(str(getattr(band, "value", band)), str(label or getattr(band, "label", None) or str(band).capitalize()))


@lru_cache(maxsize=256)
def _chip(code: str, text: str) -> Markup:
    return Markup(f'<span class="chip chip--{escape(code)}">{escape(text)}</span>')


@lru_cache(maxsize=16)
def tier_chip(tier: str) -> Markup:
    """A room's CQC tier as a chip, its description as the tooltip."""
    value = risk.Tier(tier)
    return Markup(f'<span class="chip chip--tier" title="{escape(value.description)}">{escape(value.label)}</span>')


@lru_cache(maxsize=32)
def answer_buttons(current: str | None, kind: str = "ligature") -> Markup:
    """A checklist item's one-tap answer buttons (ligature item: compliant and the two ligature
    point answers; check item: pass), the ``current`` answer pressed. Not applicable and fail ask
    for words first, so their buttons sit with their fields (``inspections/_items.html``).

    The room page draws a set per item; there are only a few sets (none pressed, or one of each
    answer, per kind), so each is made once rather than escaped afresh for every item.
    """
    return Markup("\n".join(
        f'<button type="submit" name="value" value="{escape(a.value)}" class="answer answer--{escape(a.value)}" '
        f'aria-pressed="{"true" if current == a.value else "false"}">{escape(a.label)}</button>'
        for a in ItemKind(kind).answers if a not in (Answer.NA, Answer.FAIL)))


@lru_cache(maxsize=16)
def na_reason_options(selected: str | None) -> Markup:
    """The options of an item's "why not applicable" list, ``selected`` chosen: made once per
    reason (the room page has one list per item), not escaped afresh for every item."""
    return Markup('<option value="">Choose a reason</option>' + "".join(
        f'<option value="{escape(r.value)}"{" selected" if r.value == selected else ""}>{escape(r.label)}</option>'
        for r in NaReason))


def _na_text(na_reason: str | None, na_detail: str | None = None) -> str:
    return na_reason_text(na_reason, na_detail)


# --- The room page's checklist rows ---------------------------------------------------------------
# A room has ~27 items and each row was ~60 lines of template: written out by Jinja, they were the
# page's largest rendering cost (and most of its garbage). The same HTML is written here in Python,
# one call per category (``inspections/_items.html``); an item's prompt and guidance, the same on
# every visit, are made once per process and text (keyed by the values themselves, never stale).
LIGATURE_ANSWERS = (Answer.LP.value, Answer.CTRL.value)


class RowPage(NamedTuple):
    """What every row of one room page shares (resolved once per page)."""

    live: bool  # the answer forms are shown (a writer, the inspection not signed off)
    hidden: Markup  # the answer form's fixed fields (CSRF token, inspection and room ids)
    answer_url: str
    finding_url: str  # a point's page without its id
    new_point_url: str


def row_page(live, hidden, answer_url: str, finding_url: str, new_point_url: str) -> RowPage:
    """``hidden`` is the template's own markup; the URLs are escaped here, once per page."""
    return RowPage(bool(live), Markup(hidden), str(escape(answer_url)), str(escape(finding_url)),
                   str(escape(new_point_url)))


@lru_cache(maxsize=1024)
def _row_head(item_id: int, code: str, kind: str, prompt: str, guidance: str | None) -> Markup:
    check = ' <span class="chip chip--check">Check</span>' if kind == "check" else ""
    head = (f'  <p class="item-row__prompt" id="prompt-{item_id}"><span class="item-row__code">{escape(code)}</span>'
            f'{check} {escape(prompt)}</p>\n')
    if guidance:
        head += ('  <details class="guidance" data-guidance>\n'
                 f'    <summary>Guidance<span class="visually-hidden"> for {escape(code)}</span></summary>\n'
                 f'    <p>{escape(guidance)}</p>\n  </details>\n')
    return Markup(head)


def _pressed(on: bool) -> str:
    return "true" if on else "false"


def _row_form(item, current: str | None, words: tuple, page: RowPage) -> str:
    note, na_reason, na_detail = words
    check = item.kind == "check"
    code = escape(item.code)
    fail = ""
    if check:
        fail = ('      <div class="field">\n'
                f'        <label class="field__label" for="note-{item.id}">What failed (needed for a fail)</label>\n'
                f'        <textarea class="input" id="note-{item.id}" name="comment" maxlength="2000" rows="2">'
                f'{escape(note or "")}</textarea>\n      </div>\n'
                '      <button type="submit" name="value" value="fail" class="answer answer--fail" '
                f'aria-pressed="{_pressed(current == "fail")}">Fail</button>\n')
    opened = " open" if current in ("not_applicable", "fail") else ""
    return (f'  <form method="post" action="{page.answer_url}" class="answers__form" data-op="answer">\n'
            f'    {page.hidden}\n    <input type="hidden" name="item_id" value="{item.id}">\n'
            f'    <div class="answers" role="group" aria-labelledby="prompt-{item.id}">\n'
            f'{answer_buttons(current, item.kind)}\n    </div>\n'
            f'    <details class="answer-more"{opened}>\n'
            f'      <summary>{"Fail or not applicable" if check else "Not applicable"}'
            f'<span class="visually-hidden"> for {code}</span></summary>\n{fail}'
            '      <div class="field">\n'
            f'        <label class="field__label" for="na-{item.id}">Why not applicable</label>\n'
            f'        <select class="input" id="na-{item.id}" name="na_reason">\n'
            f'          {na_reason_options(na_reason)}\n        </select>\n      </div>\n'
            '      <div class="field">\n'
            f'        <label class="field__label" for="na-detail-{item.id}">In your words (needed for "other")</label>\n'
            f'        <input class="input" id="na-detail-{item.id}" name="na_detail" maxlength="2000" '
            f'value="{escape(na_detail or "")}">\n      </div>\n'
            '      <button type="submit" name="value" value="not_applicable" class="answer answer--not_applicable" '
            f'aria-pressed="{_pressed(current == "not_applicable")}">Not applicable</button>\n'
            '    </details>\n  </form>\n')


def _answer_label(current: str | None) -> str:
    try:
        return Answer(current).label if current else "Not answered"
    except ValueError:
        return "Not answered"


def _row_tail(item, current: str | None, words: tuple, findings, page: RowPage) -> str:
    note, na_reason, na_detail = words
    tail = ""
    if current == "not_applicable":
        tail += f'  <p class="answer-reason" data-na-reason>Not applicable: {escape(_na_text(na_reason, na_detail))}</p>\n'
    elif current == "fail" and note:
        tail += f'  <p class="answer-reason" data-fail-note>Failed: {escape(note)}</p>\n'
    if findings:
        rows = "".join(
            f'    <li><a href="{page.finding_url}{f.id}">{escape(f.ref)}</a> {"Failed check, priority " if f.is_check else ""}'
            f'{band_chip(f.band) if f.band else Markup(_NOT_GRADED)}</li>\n' for f in findings)
        tail += f'  <ul class="item-row__points">\n{rows}  </ul>\n'
    if page.live and current in LIGATURE_ANSWERS:
        text = "Record another ligature point for this item" if findings else "Record the ligature point"
        tail += f'  <p><a href="{page.new_point_url}&amp;item_id={item.id}">{text}</a></p>\n'
    return tail


_NOT_GRADED = '<span class="chip chip--none">Not graded</span>'
_NO_WORDS = (None, None, None)


def checklist_rows(items, answers: dict, notes: dict, by_item: dict, page: RowPage) -> Markup:
    """One category's item rows (``<li>`` each), as ``inspections/_items.html`` drew them."""
    out = []
    for item in items:
        current = answers.get(item.id)
        words = notes.get(item.id, _NO_WORDS)
        out.append(
            f'<li class="item-row{" item-row--answered" if current else ""}{" item-row--check" if item.kind == "check" else ""}"'
            f' id="item-{item.id}" data-item-id="{item.id}" data-answer="{escape(current or "")}"'
            f' data-kind="{escape(item.kind)}">\n')
        out.append(_row_head(item.id, item.code, item.kind, item.prompt, item.guidance))
        out.append(_row_form(item, current, words, page) if page.live else
                   f'  <p class="answer-text">Answer: <strong>{escape(_answer_label(current))}</strong></p>\n')
        out.append(_row_tail(item, current, words, by_item.get(item.id), page))
        out.append("</li>\n")
    return Markup("".join(out))


def point_rows(points, first: int, finding_url: str) -> Markup:
    """A page of the room page's ligature points (``<li>`` each, numbered from ``first`` for the
    neutral labels of discreet mode), as its template drew them: up to 25 rows of
    a dozen fields each were most of the page's remaining template work."""
    url = escape(finding_url)
    out = []
    for n, f in enumerate(points, start=first):
        ref = escape(f.ref)
        grade = (f'{band_chip(f.band)} <span class="muted small">score {escape(f.score)}</span>' if f.band
                 else _NOT_GRADED)
        thumb = (f'    <img class="sensitive thumb" src="{escape(photo_url(f.thumb, "thumb"))}" alt="Photo of {ref}" '
                 'width="120" height="90" loading="lazy">\n' if f.thumb else "")
        where = f" · {escape(f.location)}" if f.location else ""
        out.append(
            f'<li class="finding-row" id="finding-{f.id}" data-finding-id="{f.id}">\n'
            f'  <div class="finding-row__head">\n    <a href="{url}{f.id}">{ref}</a>\n    {grade}\n  </div>\n'
            f'  <div class="finding-row__body">\n{thumb}    <p><span class="sensitive">'
            f'{escape(f.description or f.category)}{where}</span><span class="neutral">Item {n}</span></p>\n'
            "  </div>\n</li>\n")
    return Markup("".join(out))


def _room_chips(status, scans, flagged: dict[int, int], carried_by_room: dict[int, int]) -> str:
    room_id = status.room.id
    chips = f"<span>highest {band_chip(status.highest_band)}</span>" if status.highest_band else ""
    if room_id in scans:
        chips += '<span class="chip">Confirmed on site by label scan</span>'
    chips += '<span class="chip chip--warn">Needs a second look</span>' * flagged.get(room_id, 0)
    if carried_by_room.get(room_id):
        chips += f'<span class="chip chip--carried">{carried_by_room[room_id]} to re-check</span>'
    return chips


def walk_rows(progress, room_url: str, scans, flags, carried_by_room: dict[int, int]) -> Markup:
    """The inspection overview's rooms in walk order (``<li>`` each), as the template drew them:
    ~45 rooms of ~20 template lines were most of the page's rendering."""
    flagged: dict[int, int] = {}
    for flag in flags:
        flagged[flag.room_id] = flagged.get(flag.room_id, 0) + 1
    url = escape(room_url)
    out = []
    for s in progress:
        room, state = s.room, s.state
        name = escape(room.name)
        if state.value == "not_accessible":
            where = f'      <span class="muted small">{escape(s.not_accessible_reason)}</span>\n'
        else:
            done, total = s.progress.answered, s.progress.total
            where = (f'      <span class="room-row__progress"><progress max="{total}" value="{done}" aria-label="{name} '
                     f'progress"></progress> {done} of {total} answered</span>\n')
        out.append(
            f'  <li class="room-row room-row--{escape(state.value)}" id="room-{room.id}" data-room-id="{room.id}">\n'
            f'    <a class="room-row__link" href="{url}{room.id}">{name}</a>\n    <div class="room-row__meta">\n'
            f'      {tier_chip(room.tier)}\n      <span class="status status--{escape(state.value)}">'
            f'{escape(state.label)}</span>\n{where}    </div>\n    <div class="room-row__meta">\n'
            f'      <span>{s.findings} ligature point{"" if s.findings == 1 else "s"}</span>\n'
            f'{_room_chips(s, scans, flagged, carried_by_room)}    </div>\n  </li>\n')
    return Markup("".join(out))


# --- Action lists (the manager's list, the dashboard's overdue list) ------------------------------
def _truncate(text: str, length: int) -> str:
    return do_truncate(current_app.jinja_env, text, length)


def _action_deadlines(a, now: datetime, today) -> str:
    if a.is_overdue(today):
        late = (today - a.target_date).days
        out = (f'<strong class="overdue">Overdue by {late} day{"s" if late != 1 else ""}</strong> '
               f"(target {escape(fmt_date(a.target_date))})\n")
    else:
        out = f"Target {escape(fmt_date(a.target_date))}"
    if a.interim_missing(now):
        out += f' · <strong class="overdue">Interim control missing (due {escape(fmt_datetime(a.interim_by))})</strong>\n'
    elif a.interim_expired(today):
        out += (f' · <strong class="overdue">Interim control expired (review was due '
                f"{escape(fmt_date(a.interim_review_date))})</strong>: {escape(_truncate(a.interim_control, 60))}\n")
    elif a.interim_in_place_at:
        out += f" · Interim control: {escape(_truncate(a.interim_control, 60))}"
        if a.ward_acknowledged_at:
            out += f" (confirmed on ward {escape(fmt_date(a.ward_acknowledged_at))})"
    if a.acceptance_review_due(today):
        out += (f' · <strong class="overdue">Accepted risk due for review '
                f"({escape(fmt_date(a.accepted_review_date))})</strong>")
    return out


def action_cards(rows, now: datetime, empty_text: str) -> Markup:
    """The list items of an action list (``actions/_action_items.html``): band, what and where,
    status, deadlines, interim control and accepted-risk review. Written here, not by a template
    loop: a list page draws 25 of them on every view."""
    today = now.date()
    detail_url = escape(url_for("actions.detail", action_id=0)[:-1])
    out = []
    for a in rows:
        what = f"{escape(a.ref)}: {escape(a.category)}"
        if a.description:
            what += f" — {escape(_truncate(a.description, 80))}"
        out.append(
            f'<li class="action-card{" action-card--overdue" if a.is_overdue(today) else ""}">\n'
            f'  <div class="action-card__head">\n    {band_chip(a.band_level)}\n'
            f'    <h3 class="action-card__title"><a href="{detail_url}{a.id}">{what}</a></h3>\n  </div>\n'
            f'  <p class="action-card__meta">{escape(a.ward_name)} · {escape(a.site_name)} · '
            f'<span class="status status--{escape(a.status)}">{escape(a.status_label)}</span> · '
            f"Owner: {escape(a.owner_label)}</p>\n"
            f'  <p class="action-card__meta">\n{_action_deadlines(a, now, today)}  </p>\n</li>\n')
    return Markup("".join(out) if out else f'<li class="empty">{escape(empty_text)}</li>\n')


def photo_url(uuid: str, rendition: str) -> str:
    """A photo rendition's URL, with one ``url_for`` per request and rendition (lists of ligature
    points show a thumbnail per row). Photo uuids are hex and hyphens: nothing to quote."""
    patterns = g.setdefault("photo_urls", {})
    if rendition not in patterns:
        patterns[rendition] = url_for("photos.file", uuid="__uuid__", rendition=rendition)
    return patterns[rendition].replace("__uuid__", uuid)


def grade_trio(finding):
    """Initial, current and target grade of a point, for the point, action and tracker pages."""
    return finding_services.grade_trio(finding)


def capture_rules(kind: str):
    """A capture form's ``data-rules``: the schema the device checks before queuing (api/rules.py)."""
    return form_rules(kind)


def base_url_missing() -> bool:
    return public_url.base_url_missing()


def option_tags(choices, selected) -> Markup:
    """A select's ``<option>`` tags for (value, label) pairs, ``selected`` marked: the filters list
    every ward of the trust (60 on the bench's big shape) on every list and dashboard view."""
    return Markup("".join(f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
                          f"{escape(label)}</option>" for value, label in choices))


def stale_rows(stale) -> Markup:
    """The dashboard's wards due for re-assessment (``<tr>`` each; every ward of a trust that has not
    re-assessed, so dozens)."""
    return Markup("".join(
        f'        <tr><th scope="row">{escape(s.ward_name)} <span class="muted">({escape(s.site_name)})</span></th>\n'
        f"          <td>{escape(fmt_date(s.last_signed_off))}</td><td>{escape(s.template_title or '—')}</td>"
        f"<td>{escape('; '.join(s.reasons))}</td></tr>\n" for s in stale))


def register(app: Flask) -> None:
    app.jinja_env.filters.update(datetime=fmt_datetime, date=fmt_date, ago=ago)
    app.jinja_env.globals.update(
        Role=Role,
        Tier=risk.Tier,
        Band=risk.Band,
        LIKELIHOOD_LABELS=risk.LIKELIHOOD_LABELS,
        CONSEQUENCE_LABELS=risk.CONSEQUENCE_LABELS,
        DEFAULT_POLICY=risk.DEFAULT_POLICY,
        band_chip=band_chip,
        tier_chip=tier_chip,
        answer_buttons=answer_buttons,
        na_reason_options=na_reason_options,
        na_text=_na_text,
        checklist_rows=checklist_rows,
        walk_rows=walk_rows,
        point_rows=point_rows,
        option_tags=option_tags,
        stale_rows=stale_rows,
        action_cards=action_cards,
        row_page=row_page,
        photo_url=photo_url,
        load_bearing_label=load_bearing_label,
        observation_label=observation_label,
        interim_kind_label=interim_kind_label,
        grade_trio=grade_trio,
        InterimKind=grading.InterimKind,
        ObservationLevel=grading.ObservationLevel,
        Observation=grading.Observation,
        capture_rules=capture_rules,
        base_url_missing=base_url_missing,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
