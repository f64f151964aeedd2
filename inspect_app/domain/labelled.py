"""A string enum whose members carry the label (and optional description) shown to users.

Writing ``OPEN = "open", "Open"`` keeps the stored value and its wording on one line, instead
of a second dict per enum that can drift out of step with the members.
"""
from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """Members are declared as ``value, label`` or ``value, label, description``.

    Being a :class:`~enum.StrEnum`, a member is a ``str`` equal to its value, and ``str()`` or
    a template renders the value (a plain ``(str, Enum)`` would render ``Role.ADMIN``).
    """

    label: str
    description: str

    def __new__(cls, value: str, label: str, description: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.description = description
        return member
