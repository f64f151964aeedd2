"""JSON parsing that refuses deep nesting before the parser sees it.

Python's ``json`` parser recurses once per nesting level: a 3 KB body of 1,500 brackets raises
``RecursionError`` (a 500) instead of a ``ValueError``. Every request body or upload parsed as
JSON goes through :func:`loads`, which counts the nesting first (outside strings) and refuses
anything deeper than the caller's small limit with :class:`TooDeep`, a ``JSONDecodeError``,
so callers that already answer malformed JSON with a 400 answer this one the same way.
"""
from __future__ import annotations

import json
import re
from typing import Any

STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKETS = re.compile(r"[\[\]{}]")
#: Deeper than any document the app exchanges (an operation is 3 levels, an export of unsent items 6).
API_DEPTH = 16
#: Checklist and alert libraries uploaded by administrators.
LIBRARY_DEPTH = 32


class TooDeep(json.JSONDecodeError):
    """The document nests arrays/objects deeper than allowed."""


def depth(text: str) -> tuple[int, int]:
    """The deepest nesting of arrays and objects in ``text`` and where it is first reached."""
    deepest, where, level = 0, 0, 0
    for match in BRACKETS.finditer(STRINGS.sub('""', text)):
        if match.group() in "[{":
            level += 1
            if level > deepest:
                deepest, where = level, match.start()
        else:
            level -= 1
    return deepest, where


def loads(raw: bytes | str, *, max_depth: int = API_DEPTH) -> Any:
    """``json.loads`` that raises :class:`TooDeep` (a ``ValueError``) for nesting over ``max_depth``.

    :raises UnicodeDecodeError: bytes that are not UTF-8.
    :raises json.JSONDecodeError: not JSON, or nested too deeply.
    """
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    deepest, where = depth(text)
    if deepest > max_depth:
        raise TooDeep(f"Nested more than {max_depth} levels deep", text, where)
    return json.loads(text)
