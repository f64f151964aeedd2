"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import Flask, g, url_for
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
