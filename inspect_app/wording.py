"""Dates and recorded values in words, the same on pages, in CSV and in API messages.

Pure (the domain's enums and the standard library): ``template_helpers`` registers them for the
templates, and code below the templates (the sync API, the remediation register) imports them
from here rather than from the template layer above it.
"""
from __future__ import annotations

from datetime import date, datetime

from inspect_app.domain import grading


def fmt_datetime(value: datetime | None) -> str:
    return value.strftime("%-d %b %Y, %H:%M") if value else "—"


def fmt_date(value: date | datetime | None) -> str:
    return value.strftime("%-d %b %Y") if value else "—"


def load_bearing_label(value: str | None) -> str:
    """The inspector's load-bearing answer in words ("Not recorded" for points from before the question)."""
    if not value:
        return "Not recorded (graded as load-bearing until it is)"
    try:
        return grading.LoadBearing(value).label
    except ValueError:
        return value


def observation_label(value: str | None) -> str:
    if not value:
        return "Not recorded"
    try:
        return grading.Observation(value).label
    except ValueError:
        return value


def interim_kind_label(value: str | None, level: str | None = None) -> str:
    """An interim control's type, with the observation level for enhanced observation."""
    if not value:
        return ""
    try:
        text = grading.InterimKind(value).label
    except ValueError:
        return value
    if level:
        try:
            text += f" ({grading.ObservationLevel(level).label.lower()})"
        except ValueError:
            text += f" ({level})"
    return text
