"""Cleaning free text a person typed: the one routine every service uses.

Text is stripped; it must fit its limit and carry no control characters other than line breaks and
tabs (a stray escape or NUL would corrupt a PDF or a CSV export). The message names the field the
way the calling form labels it, so every path (form, sync API, import, CLI) words a refusal alike.
"""
from __future__ import annotations

ALLOWED_CONTROLS = "\n\r\t"


class TextError(ValueError):
    """Text refused, with a message for the person who typed it."""


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a control character other than a line break or a tab.

    :param value: the text to look at.
    """
    return any(ord(c) < 32 and c not in ALLOWED_CONTROLS for c in value)


def clean_text(value: object, *, label: str, limit: int | None = None, coerce: bool = False) -> str:
    """``value`` stripped; ``None`` becomes "".

    :param label: how a message names the field, capitalised ("The comment", "Description").
    :param limit: the most characters allowed after stripping, or None for no limit.
    :param coerce: turn a non-string into text with ``str`` instead of refusing it.
    :raises TextError: not text, too long, or holding control characters.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        if not coerce:
            raise TextError(f"{label} must be text.")
        value = str(value)
    value = value.strip()
    if limit is not None and len(value) > limit:
        raise TextError(f"{label} is longer than {limit} characters.")
    if has_control_characters(value):
        raise TextError(f"{label} contains control characters.")
    return value
