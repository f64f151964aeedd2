"""Small flowables the renderers share: band chips, headings, progress markers, deferred parts."""
from __future__ import annotations

from collections.abc import Callable

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table

from .styles import FONT_BOLD, STYLES, Para, band_colours, is_plain, plain_lines, text_width


class BandChip(Flowable):
    """A rounded pill in the band's colours, e.g. "High · 12"; used in cards and tables."""

    def __init__(self, band, text: str | None = None, font_size: float = 8.5):
        super().__init__()
        self.band = band
        self.text = text if text is not None else band.label
        self.font_size = font_size
        self.pad_x = font_size * 0.7
        self._width = stringWidth(self.text, FONT_BOLD, font_size) + 2 * self.pad_x
        self._height = font_size * 1.75

    def wrap(self, avail_width, avail_height):
        return self._width, self._height

    def draw(self):
        fill, ink = band_colours(self.band)
        canv = self.canv
        canv.setFillColor(fill)
        canv.setStrokeColor(fill)
        canv.roundRect(0, 0, self._width, self._height, self._height / 2.6, stroke=0, fill=1)
        canv.setFillColor(ink)
        canv.setFont(FONT_BOLD, self.font_size)
        canv.drawCentredString(self._width / 2, self._height * 0.31, self.text)


class TextLines(Flowable):
    """Lines of plain text, each ``(text, font, size)``, drawn at one ``leading`` in one colour.

    What a Paragraph of plain words draws, without its markup parser and line breaker (the
    caller has broken the lines): captions and the action plan's reference cells.
    """

    def __init__(self, lines: list[tuple[str, str, float]], leading: float, colour):
        super().__init__()
        self.lines, self.leading, self.colour = lines, leading, colour
        self.width = max((stringWidth(text, font, size) for text, font, size in lines), default=0)
        self.height = leading * len(lines)

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        canv = self.canv
        canv.setFillColor(self.colour)
        y = self.height - (self.lines[0][2] if self.lines else 0)
        for text, font, size in self.lines:
            canv.setFont(font, size)
            canv.drawString(0, y, text)
            y -= self.leading


def text_block(text: str, style, width: float) -> Flowable:
    """``text`` (Paragraph markup, as ``para_text`` makes it) as :class:`TextLines` when it is plain
    words and line breaks that wrap within ``width``; else a Paragraph of ``style``."""
    lines = plain_lines(text, style, width)
    if lines is None:
        return Para(text, style)
    return TextLines([(line, style.fontName, style.fontSize) for line in lines], style.leading, style.textColor)


class RichLines(Flowable):
    """Words in mixed fonts (a bold score in a line of text), each word a list of ``(text, font)``
    runs, broken into lines as a Paragraph of the same text would break them and drawn alike
    (first baseline one font size below the top, then one ``leading`` per line)."""

    def __init__(self, lines: list[list[list[tuple[str, str]]]], size: float, leading: float, colour):
        super().__init__()
        self.lines, self.size, self.leading, self.colour = lines, size, leading, colour
        self.height = leading * len(lines)

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.height

    def draw(self):
        canv = self.canv
        canv.setFillColor(self.colour)
        text = canv.beginText(0, self.height - self.size)
        for index, line in enumerate(self.lines):
            if index:
                text.setTextOrigin(0, self.height - self.size - index * self.leading)
            for number, word in enumerate(line):
                for piece, font in ([(" ", word[0][1])] if number else []) + word:
                    text.setFont(font, self.size)
                    text.textOut(piece)
        canv.drawText(text)


def rich_block(runs: list[tuple[str, str]], style, width: float) -> Flowable:
    """``runs`` of plain text, each ``(text, font)``, as :class:`RichLines` of ``style``'s size
    wrapped in ``width``; a Paragraph (bold runs in ``<b>``) when a run is not plain or a word is
    wider than ``width``."""
    def paragraph() -> Para:
        return Para("".join(t if f == style.fontName else f"<b>{t}</b>" for t, f in runs), style)

    if not all(is_plain(text) for text, _ in runs):
        return paragraph()
    words: list[list[tuple[str, str]]] = [[]]
    for text, font in runs:
        for index, piece in enumerate(text.split(" ")):
            if index:
                words.append([])
            if piece:
                words[-1].append((piece, font))
    words = [word for word in words if word]
    size = style.fontSize
    space = text_width(" ", style.fontName, size)
    lines: list[list[list[tuple[str, str]]]] = [[]]
    used = -space
    for word in words:
        word_width = sum(text_width(piece, font, size) for piece, font in word)
        if word_width > width:
            return paragraph()
        if lines[-1] and used + space + word_width > width + style.spaceShrinkage * space * len(lines[-1]):
            lines.append([])
            used = -space
        lines[-1].append(word)
        used += space + word_width
    return RichLines(lines, size, style.leading, style.textColor)


class ProgressMark(Flowable):
    """An invisible flowable; once it is placed the renderer reports ``(done, total)``."""

    def __init__(self, done: int, total: int):
        super().__init__()
        self.progress_mark = (done, total)

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        pass


class Deferred(Flowable):
    """A placeholder for flowables built only when the layout reaches them.

    A long report's story would otherwise hold every finding card (tables of Paragraphs) from
    the start of the build to its end: 26 MB for 1,000 cards. The document template
    (``base._DocTemplate.filterFlowables``) swaps each placeholder for what ``build`` returns
    just before it is laid out, so at most the cards of a page or two exist at once.
    """

    def __init__(self, build: Callable[[], list[Flowable]]):
        super().__init__()
        self.build = build

    def wrap(self, avail_width, avail_height):  # never laid out itself
        raise RuntimeError("a Deferred flowable must be expanded by the document template")


def expand_deferred(flowables: list) -> None:
    """Build the :class:`Deferred` parts at the front of ``flowables`` that the next step may
    look at: the first flowable and the run kept with it (``keepWithNext``)."""
    index = 0
    while index < len(flowables):
        flowable = flowables[index]
        if isinstance(flowable, Deferred):
            flowables[index:index + 1] = flowable.build()
            continue
        if flowable is None or not flowable.getKeepWithNext():
            return
        index += 1


class CountedTable(Table):
    """A data table whose rows count as progress as each part of it is placed on a page.

    Table.split builds its parts with ``self.__class__``, so every part is a CountedTable.
    """

    def __init__(self, *args, **kw):
        kw.setdefault("splitInRow", 1)  # a row taller than the page left continues on the next
        super().__init__(*args, **kw)
        self.progress_rows = len(self._cellvalues) - self.repeatRows


def heading(text: str, style: str, level: int | None = None) -> Paragraph:
    """A heading ``Paragraph`` (user text escaped by the caller) that may add an outline entry."""
    para = Para(text, STYLES[style])
    if level is not None:
        para.outline = (para.getPlainText(), level)
    return para


def table_heading(text: str, style: str, level: int | None = None) -> list[Flowable]:
    """A heading for a long table: it must not use keepWithNext.

    keepWithNext wraps heading and table in a KeepTogether, which moves a table taller than
    the space left to the next page, leaving the rest of this page blank. A CondPageBreak
    keeps the heading off the very bottom of a page instead.
    """
    para = heading(text, style, level)
    para.keepWithNext = 0
    return [CondPageBreak(40 * mm), para]
