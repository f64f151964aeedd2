"""A canvas whose pages can print "Page x of y" although each page is written as it is made.

Each page ends by drawing a form XObject that is defined only when the document is saved,
once the page count is known: the renderer draws "Page x of y" (and the watermark, if any)
into it (the classic "page x of y" technique). Until then a page is held only as its
compressed content stream, as it will be written; nothing else of a page is kept for the
whole document.
"""
from __future__ import annotations

from collections.abc import Callable

from reportlab.lib.boxstuff import aspectRatioFix
from reportlab.lib.utils import _digester
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from .stream import LazyJPEG, is_jpeg_file, write_document

DECORATION = "wsiPageDecoration{}"  # the form each page draws last, defined in save()


class NumberedCanvas(Canvas):
    """Pages written as they are made, each decorated in :meth:`save` once the total is known.

    Outline (bookmark) entries are queued while a page is laid out and added when it is
    finished, pointing at it.
    """

    def __init__(self, *args, decorate: Callable[[Canvas, int, int], None] | None = None, **kw):
        super().__init__(*args, **kw)
        self._decorate = decorate
        self._page_outline: list[tuple[str, int]] = []
        self._pages_made = 0
        self._has_outline = False

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
        self._pages_made += 1
        number = self._pages_made
        for index, (title, level) in enumerate(self._page_outline):
            key = f"p{number}o{index}"
            self.bookmarkPage(key)
            self.addOutlineEntry(title, key, level=level, closed=level > 0)
            self._has_outline = True
        self._page_outline = []
        if self._decorate is not None:
            self.doForm(DECORATION.format(number))  # drawn over the page; defined in save()
        super().showPage()
        _compress_now(self._doc.Pages.pages[-1])

    def save(self):
        if len(self._code):
            self.showPage()
        total = self._pages_made
        if self._decorate is not None:
            for number in range(1, total + 1):
                name = DECORATION.format(number)
                self.beginForm(name)
                self._decorate(self, number, total)
                self.endForm()
                _give_graphics_states(self._doc.idToObject[pdfdoc.xObjectName(name)])
        if self._has_outline:
            self.showOutline()  # open the bookmarks pane: a long report is read room by room
        write_document(self, self._filename)  # object by object, photos read as they are written


def _give_graphics_states(form: pdfdoc.PDFFormXObject) -> None:
    """A form's resources as ReportLab makes them, plus the graphics states it uses (the watermark's
    transparency), which ReportLab 5.1 leaves out of a form's resources."""
    if not form.ExtGState:
        return
    resources = pdfdoc.PDFResourceDictionary()
    resources.basicFonts()
    resources.basicProcs()
    if form.XObjects:
        resources.XObject = form.XObjects
    resources.ExtGState = form.ExtGState
    form.Resources = resources


def _compress_now(page: pdfdoc.PDFPage) -> None:
    """Replace a finished page's content (one string of operators) by the stream it will be
    written as, compressed now as ReportLab would compress it at save (``pageCompression``)."""
    if not page.compression or page.stream is None:
        return
    content = pdfdoc.PDFStream(content=pdfdoc.PDFZCompress.encode(page.stream),
                               filters=[])  # encoded already; [] stops the default filters
    content.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])
    content.__Comment__ = "page stream"
    page.Contents, page.stream = content, None
