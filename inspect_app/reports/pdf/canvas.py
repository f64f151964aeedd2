"""A two-pass canvas, so that every page can print "Page x of y".

Platypus draws each page and calls ``showPage``; this canvas keeps the page instead of
emitting it, and in :meth:`NumberedCanvas.save` replays every page now that the total is
known, letting the renderer draw the page number (and anything else that needs it).
"""
from __future__ import annotations

from typing import Callable

from reportlab.pdfgen.canvas import Canvas


class NumberedCanvas(Canvas):
    """Keeps each page until :meth:`save` so every page can say "Page x of y".

    Outline (bookmark) entries are queued per page and replayed with the page: while the
    layout runs no page has really been emitted yet, so a bookmark made then would point at
    page 1.
    """

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None] | None = None, **kw):
        super().__init__(*args, **kw)
        self._decorate = decorate
        self._saved_pages: list[dict] = []
        self._page_outline: list[tuple[str, int]] = []

    def add_outline(self, title: str, level: int) -> None:
        self._page_outline.append((title, level))

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._page_outline = []
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        has_outline = any(state["_page_outline"] for state in self._saved_pages)
        for number, state in enumerate(self._saved_pages, start=1):
            self.__dict__.update(state)
            for index, (title, level) in enumerate(self._page_outline):
                key = f"p{number}o{index}"
                self.bookmarkPage(key)
                self.addOutlineEntry(title, key, level=level, closed=level > 0)
            if self._decorate is not None:
                self._decorate(self, number, total)
            super().showPage()
        if has_outline:
            self.showOutline()  # open the bookmarks pane: a long report is read room by room
        super().save()
