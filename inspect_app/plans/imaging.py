"""A floor plan upload as image bytes: a PDF page is rendered to a PNG first (pypdfium2), then
the photo pipeline (``photos.imaging.process``) checks it and makes the renditions exactly as for
a photo, so a hostile file is refused the same way (size, format sniffed from the bytes, pixel
bomb, damage) and no metadata survives.
"""
from __future__ import annotations

import io

import pypdfium2 as pdfium

from inspect_app.photos import imaging

#: A rendered PDF page's longest edge in pixels (the "large" rendition is 1600: room to spare).
PDF_EDGE = 2000
MAX_PAGES = 50


def is_pdf(data: bytes) -> bool:
    return data[:5] == b"%PDF-"


def pdf_page_png(data: bytes, page_number: int = 1) -> bytes:
    """Render one page of a PDF as PNG bytes.

    :raises imaging.PhotoRejected: unreadable PDF, too many pages, or no such page.
    """
    try:
        document = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, ValueError, OSError) as exc:
        raise imaging.PhotoRejected("This PDF cannot be read.", code="damaged") from exc
    try:
        return _render(document, page_number)
    finally:
        document.close()


def _render(document, page_number: int) -> bytes:
    count = len(document)
    if count > MAX_PAGES:
        raise imaging.PhotoRejected(f"The PDF has more than {MAX_PAGES} pages; upload the plan's page alone.",
                                    code="too_many_pages")
    if not 1 <= page_number <= count:
        raise imaging.PhotoRejected(f"The PDF has {count} page(s); there is no page {page_number}.", code="no_page")
    try:
        page = document[page_number - 1]
        width, height = page.get_size()
        if min(width, height) <= 0:
            raise imaging.PhotoRejected("The PDF page is empty.", code="damaged")
        scale = min(PDF_EDGE / max(width, height), 8.0)
        image = page.render(scale=scale).to_pil()
    except pdfium.PdfiumError as exc:
        raise imaging.PhotoRejected("This PDF page cannot be drawn.", code="damaged") from exc
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    return out.getvalue()


def process(data: bytes, *, max_bytes: int, page_number: int = 1) -> tuple[str, imaging.ProcessedPhoto]:
    """(source format, renditions) of an uploaded plan: a JPEG, PNG, WebP or a PDF page.

    :raises imaging.PhotoRejected: as for photos, plus the PDF's own refusals.
    """
    if not data:
        raise imaging.PhotoRejected("The file is empty. Choose the ward's floor plan: a PNG, JPEG or WebP image, "
                                    "or a PDF.", code="empty")
    if len(data) > max_bytes:
        raise imaging.PhotoRejected(f"The plan is larger than {max_bytes / 2**20:g} MB.", code="too_large")
    if is_pdf(data):
        return "PDF", imaging.process(pdf_page_png(data, page_number), max_bytes=max(max_bytes, 64 * 2**20))
    processed = imaging.process(data, max_bytes=max_bytes)
    return processed.source_format, processed
