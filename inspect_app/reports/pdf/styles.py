"""The one stylesheet, the palette and the small text helpers every renderer shares.

Fonts are ReportLab's base-14 Helvetica: nothing is embedded, so files stay small; characters
outside WinAnsi (Western European) go into embedded fallback fonts or are named (``glyphs.py``).
Every piece of user text goes through :func:`para_text` before it reaches a ``Paragraph``, because a ``Paragraph`` parses its
input as markup: an unescaped ``<`` or ``&`` in a finding would break or restyle the report.
"""
from __future__ import annotations

import functools
import re
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from .glyphs import markup

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"

# NHS identity colours (service-manual palette).
NHS_BLUE = colors.HexColor("#005EB8")
NHS_DARK_BLUE = colors.HexColor("#003087")
TEXT = colors.HexColor("#212B32")
MUTED_HEX = "#4C6272"
MUTED = colors.HexColor(MUTED_HEX)
RULE = colors.HexColor("#D8DDE0")
PALE = colors.HexColor("#F0F4F5")
PALE_BLUE = colors.HexColor("#E8EFF8")
RED_HEX = "#D5281B"
RED = colors.HexColor(RED_HEX)
PALE_RED = colors.HexColor("#FBE4E2")
WHITE = colors.white

EMPTY = "\u2014"  # an em dash for "nothing recorded"; WinAnsi has it


def para_text(value: object, empty: str = EMPTY) -> str:
    """User text made safe for a ``Paragraph``: markup escaped, line breaks kept, and any script
    Helvetica lacks set in an embedded fallback font or named visibly (``glyphs.py``)."""
    if value is None or value == "":
        return empty
    return markup(escape(str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>"))


def fmt_date(value: date | None) -> str:
    return value.strftime("%d %b %Y").lstrip("0") if value else EMPTY


def fmt_datetime(value: datetime | None) -> str:
    return f"{fmt_date(value)} {value:%H:%M}" if value else EMPTY


def band_colours(band) -> tuple[colors.Color, colors.Color]:
    """(fill, text) colours of a :class:`~inspect_app.reports.data.BandInfo`."""
    return colors.HexColor(band.colour), colors.HexColor(band.text_colour)


def tint(colour: colors.Color, amount: float) -> colors.Color:
    """``colour`` mixed with white; ``amount`` 0 keeps it, 1 gives white."""
    return colors.Color(*(c + (1 - c) * amount for c in (colour.red, colour.green, colour.blue)))


def build_stylesheet() -> StyleSheet1:
    sheet = StyleSheet1()

    def add(name, parent=None, **kw):
        sheet.add(ParagraphStyle(name=name, parent=sheet[parent] if parent else None, **kw))

    add("Body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=TEXT)
    add("Small", "Body", fontSize=8.5, leading=10.5)
    add("SmallBold", "Small", fontName=FONT_BOLD)
    add("Muted", "Small", textColor=MUTED)
    add("Tiny", "Small", fontSize=6.5, leading=8, textColor=MUTED)
    add("FieldLabel", "Small", fontName=FONT_BOLD, fontSize=8, textColor=MUTED)
    add("Title", "Body", fontName=FONT_BOLD, fontSize=26, leading=31, textColor=NHS_DARK_BLUE,
        spaceAfter=4)
    add("Subtitle", "Body", fontSize=15, leading=19, textColor=TEXT, spaceAfter=14)
    add("H1", "Body", fontName=FONT_BOLD, fontSize=16, leading=20, textColor=NHS_DARK_BLUE,
        spaceBefore=4, spaceAfter=8, keepWithNext=1)
    add("H2", "Body", fontName=FONT_BOLD, fontSize=12.5, leading=15.5, textColor=TEXT,
        spaceBefore=10, spaceAfter=1, keepWithNext=1)
    add("H3", "Body", fontName=FONT_BOLD, fontSize=10.5, leading=13, textColor=TEXT,
        spaceBefore=8, spaceAfter=4, keepWithNext=1)
    add("RoomMeta", "Small", textColor=MUTED, spaceAfter=5, keepWithNext=1)
    add("TableHead", "Small", fontName=FONT_BOLD, textColor=WHITE)
    add("Cell", "Small")
    add("CellBold", "Small", fontName=FONT_BOLD)
    add("CellCentre", "Small", alignment=TA_CENTER)
    add("FindingHead", "Body", fontName=FONT_BOLD, fontSize=10.5, leading=13)
    add("Figure", "Body", fontName=FONT_BOLD, fontSize=22, leading=25, textColor=NHS_DARK_BLUE,
        alignment=TA_CENTER)
    add("FigureLabel", "Small", textColor=MUTED, alignment=TA_CENTER)
    add("Notice", "Body", fontName=FONT_BOLD, fontSize=11, leading=14, textColor=RED)
    add("LabelRoom", "Body", fontName=FONT_BOLD, fontSize=15, leading=18)
    return sheet


STYLES = build_stylesheet()


class Para(Paragraph):
    """A ``Paragraph`` that remembers its last wrap.

    A table wraps every cell when it measures rows and again when it draws them, and again
    on the next page when a card did not fit; line breaking is the largest cost of a long
    report. ``Paragraph.wrap`` depends only on the width (and the fixed style), so the
    result for the same width is reused.
    """

    _wrapped_width = None

    def wrap(self, avail_width, avail_height):
        # A failed split() deletes blPara; the cached size is only valid while it exists.
        if avail_width == self._wrapped_width and "blPara" in self.__dict__:
            return self.width, self.height
        size = super().wrap(avail_width, avail_height)
        self._wrapped_width = avail_width
        return size


BREAK = "<br/>"
_NOT_PLAIN = re.compile("[<&\xa0\xad]")  # markup, an entity, a no-break space, a soft hyphen


@functools.lru_cache(maxsize=4096)
def text_width(text: str, font: str, size: float) -> float:
    """``stringWidth``, remembered: a report measures the same words and values thousands of times."""
    return stringWidth(text, font, size)


def is_plain(text: str) -> bool:
    """Whether ``text`` (Paragraph markup) is words a Paragraph would print as they are."""
    return _NOT_PLAIN.search(text) is None


def cell_text(text: str, style: ParagraphStyle, width: float, *, lines: bool = True) -> str | Para:
    """A table cell for ``text`` (``Paragraph`` markup, as :func:`para_text` makes it).

    Text with no markup but line breaks (:func:`is_plain` between them) is returned as a plain
    string, broken into lines (``\\n``) where a Paragraph of ``style`` would break it in ``width`` points, and the
    table draws it with ``drawString`` line by line: the same words on the same lines at the
    same leading (the table's FONT command for the cell must give the style's font, size and
    leading, and TEXTCOLOR its colour), with no markup parsing and no Paragraph layout, which
    is most of a long report's build time. With ``lines=False``, or when a word is wider than
    ``width`` (a Paragraph would split it) it stays one line or becomes a :class:`Para`.
    """
    if BREAK not in text and is_plain(text) and text_width(text, style.fontName, style.fontSize) <= width:
        return text
    wrapped = plain_lines(text, style, width) if lines else None
    return Para(text, style) if wrapped is None else "\n".join(wrapped)


def plain_lines(text: str, style: ParagraphStyle, width: float) -> list[str] | None:
    """The lines a Paragraph of ``style`` would print for ``text`` in ``width`` points, when the
    text is plain words and line breaks (``<br/>``); None for anything else (markup, an entity,
    a word wider than ``width``, nothing to print)."""
    parts = text.split(BREAK)  # line breaks (para_text's) and bullet lists keep their lines
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()  # a Paragraph ends at a trailing break
    if not all(map(is_plain, parts)) or not any(part.strip() for part in parts):
        return None
    lines: list[str] = []
    for part in parts:
        part_lines = wrap_plain(part, style, width)
        if part_lines is None:
            return None
        lines += part_lines or [""]
    return lines


def wrap_plain(text: str, style: ParagraphStyle, width: float) -> list[str] | None:
    """``text``'s words in lines of at most ``width`` points, filled as a Paragraph of ``style``
    fills them (whitespace collapsed; each gap may shrink by the style's ``spaceShrinkage``);
    None when a word alone is wider than ``width`` (a Paragraph would split it)."""
    font, size = style.fontName, style.fontSize
    space = text_width(" ", font, size)
    shrink = style.spaceShrinkage * space
    lines: list[str] = []
    line: list[str] = []
    used = -space
    for word in text.split():
        word_width = text_width(word, font, size)
        if word_width > width:
            return None
        if line and used + space + word_width > width + shrink * len(line):
            lines.append(" ".join(line))
            line, used = [], -space
        line.append(word)
        used += space + word_width
    if line:
        lines.append(" ".join(line))
    return lines


def data_table_style(header_rows: int = 1):
    """Commands shared by the action plan and the tracker: blue header, zebra rows, hairlines."""
    return [
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), NHS_BLUE),
        ("FONT", (0, header_rows), (-1, -1), FONT, 8.5, 10.5),  # plain-string cells match "Cell"
        ("TEXTCOLOR", (0, header_rows), (-1, -1), TEXT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [WHITE, PALE]),
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
