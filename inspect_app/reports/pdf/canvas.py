"""A two-pass canvas, so that every page can print "Page x of y".

Platypus draws each page and calls ``showPage``; this canvas keeps the page instead of
emitting it, and in :meth:`NumberedCanvas.save` replays every page now that the total is
known, letting the renderer draw the page number (and anything else that needs it).
"""
from __future__ import annotations

import zlib
from collections.abc import Callable

from reportlab.lib.boxstuff import aspectRatioFix
from reportlab.lib.utils import _digester
from reportlab.pdfgen.canvas import Canvas

from .stream import LazyJPEG, is_jpeg_file, write_document


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

    def drawImage(self, image, x, y, width=None, height=None, mask=None, preserveAspectRatio=False,
                  anchor="c", anchorAtXY=False, showBoundary=False, extraReturn=None):
        """As Canvas.drawImage, but a JPEG file becomes a :class:`~.stream.LazyJPEG`: read only
        when the file is written, so a report's photos are never all in memory at once."""
        # mask "auto" (the Image flowable's default) means nothing for a JPEG: ReportLab drops it too
        if not is_jpeg_file(image) or mask not in (None, "auto") or showBoundary or extraReturn is not None:
            return super().drawImage(image, x, y, width, height, mask, preserveAspectRatio, anchor, anchorAtXY,
                                     showBoundary, extraReturn)
        self._currentPageHasImages = 1
        name = _digester(f"{image}{mask}".encode())  # as Canvas.drawImage names a file image
        reg_name = self._doc.getXObjectName(name)
        img = self._doc.idToObject.get(reg_name)
        if img is None:
            try:
                img = LazyJPEG(name, str(image))
            except Exception:  # not a readable baseline JPEG after all: ReportLab's own path
                return super().drawImage(image, x, y, width, height, mask, preserveAspectRatio, anchor,
                                         anchorAtXY, showBoundary, extraReturn)
            self._setXObjects(img)
            self._doc.Reference(img, reg_name)
            self._doc.addForm(name, img)
        x, y, width, height, _ = aspectRatioFix(preserveAspectRatio, anchor, x, y, width, height, img.width,
                                                img.height, anchorAtXY)
        self.saveState()
        self.translate(x, y)
        self.scale(width, height)
        self._code.append("/%s Do" % reg_name)
        self.restoreState()
        self._formsinuse.append(name)  # as Canvas.drawImage: what this page uses
        return (img.width, img.height)

    def add_outline(self, title: str, level: int) -> None:
        self._page_outline.append((title, level))

    def showPage(self):
        # A kept page's drawing operators are thousands of small strings; packed into one
        # compressed blob a page costs a few KB until it is replayed, not a few hundred.
        state = dict(self.__dict__)
        state["_code"] = zlib.compress("\n".join(self._code).encode("utf-8", "surrogatepass"), 1)
        self._saved_pages.append(state)
        self._page_outline = []
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        has_outline = any(state["_page_outline"] for state in self._saved_pages)
        pages, self._saved_pages = self._saved_pages, []
        for number, state in enumerate(pages, start=1):
            self.__dict__.update(state)
            # one string holding the page's operators joined by newlines, as PDFPage.setStream joins them
            self._code = [zlib.decompress(state["_code"]).decode("utf-8", "surrogatepass")]
            pages[number - 1] = None  # replayed: let it go
            for index, (title, level) in enumerate(self._page_outline):
                key = f"p{number}o{index}"
                self.bookmarkPage(key)
                self.addOutlineEntry(title, key, level=level, closed=level > 0)
            if self._decorate is not None:
                self._decorate(self, number, total)
            super().showPage()
        if has_outline:
            self.showOutline()  # open the bookmarks pane: a long report is read room by room
        if len(self._code):
            super().showPage()
        write_document(self, self._filename)  # object by object, photos read as they are written
