"""Text in any script, printed: Helvetica for what it can show, embedded fallback fonts for the
rest, and a visible name for what no font here has (an emoji prints as ``[GRINNING FACE]``,
never as a black square or nothing).

The reports use base-14 Helvetica (nothing embedded, small and fast files), which only has the
Western European (WinAnsi) characters. A run of characters outside it goes into a ``<font>``
tag naming DejaVu Sans (Greek, Cyrillic, Hebrew, Arabic and many symbols) or, for Chinese,
Japanese and Korean, Droid Sans Fallback: ReportLab embeds just the glyphs used. The fonts are
the Debian packages fonts-dejavu-core and fonts-droid-fallback; a font that is not installed is
skipped and its characters are named instead. Right-to-left text keeps its logical order
(ReportLab does not reorder it without a shaping engine), which the decision log records.
"""
from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FALLBACKS = (
    ("WSI-DejaVuSans", ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)),
    ("WSI-DroidFallback", ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",)),
)


@functools.cache
def _winansi(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _fallback(index: int) -> tuple[str, frozenset[int]] | None:
    """The registered fallback font ``index`` and the code points it has, or None if missing."""
    name, paths = FALLBACKS[index]
    for path in paths:
        if Path(path).is_file():
            font = TTFont(name, path)
            pdfmetrics.registerFont(font)
            return name, frozenset(font.face.charToGlyph)
    return None


def font_for(char: str) -> str | None:
    """"" for Helvetica, a fallback font's name, or None when no font here has ``char``."""
    if _winansi(char):
        return ""
    for index in range(len(FALLBACKS)):
        found = _fallback(index)
        if found is not None and ord(char) in found[1]:
            return found[0]
    return None


def visible_name(char: str) -> str:
    """What prints for a character no font has: its Unicode name, in brackets."""
    name = unicodedata.name(char, "")
    return f"[{name}]" if name else f"[U+{ord(char):04X}]"


def _plain(char: str) -> bool:
    # joiners and variation selectors (inside emoji sequences) print as nothing
    return unicodedata.category(char) in ("Cf", "Mn") and not font_for(char)


def markup(escaped: str) -> str:
    """Markup-escaped text (``&amp;``, ``<br/>`` and all) with every non-WinAnsi run put in its font.

    Only characters outside WinAnsi are looked at; entities and tags are WinAnsi, so they pass
    through untouched.
    """
    if escaped.isascii():
        return escaped
    out: list[str] = []
    current = ""
    for char in escaped:
        if char.isascii() or _winansi(char):
            font = ""
        elif _plain(char):
            continue
        else:
            font = font_for(char)
            if font is None:
                if current:
                    out.append("</font>")
                    current = ""
                out.append(visible_name(char))
                continue
        if font != current:
            if current:
                out.append("</font>")
            if font:
                out.append(f'<font name="{font}">')
            current = font
        out.append(char)
    if current:
        out.append("</font>")
    return "".join(out)


def plain(text: str) -> str:
    """For strings drawn straight on the canvas in Helvetica (running header): every character
    Helvetica lacks is named instead, so nothing prints as a box."""
    if text.isascii():
        return text
    return "".join(c if _winansi(c) else ("" if unicodedata.category(c) in ("Cf", "Mn") else visible_name(c))
                   for c in text)
