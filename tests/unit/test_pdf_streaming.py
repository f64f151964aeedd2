"""Report photos are read when the PDF is written, not held from the moment they are drawn,
and the file is written object by object: the bytes that come out are the JPEGs themselves."""
from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader
from reportlab.platypus import Image as Image_flowable

from inspect_app.reports.pdf.canvas import NumberedCanvas
from inspect_app.reports.pdf.stream import LazyJPEG


def _jpeg(path, colour) -> bytes:
    Image.new("RGB", (80, 60), colour).save(path, "JPEG", quality=85)
    return path.read_bytes()


def test_photos_are_read_at_write_time_and_embedded_unchanged(tmp_path):
    photos = [tmp_path / f"p{n}.jpg" for n in range(3)]
    originals = [_jpeg(path, (40 * n, 90, 200 - 40 * n)) for n, path in enumerate(photos)]
    out = tmp_path / "report.pdf"
    pages_seen = []
    canvas = NumberedCanvas(str(out), decorate=lambda c, number, total: pages_seen.append((number, total)))
    for path in photos + photos[:1]:  # the first photo twice: embedded once
        Image_flowable(str(path), width=160, height=120).drawOn(canvas, 50, 500)  # as report cards draw them
        canvas.drawString(50, 450, f"Photo {path.name}")
        canvas.showPage()
    held = [obj for obj in canvas._doc.idToObject.values() if isinstance(obj, LazyJPEG)]
    assert len(held) == 3 and all(obj.streamContent == b"" for obj in held)  # paths and sizes only
    canvas.save()
    assert pages_seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    reader = PdfReader(str(out))
    assert len(reader.pages) == 4
    embedded = [image.data for page in reader.pages for image in page.images]
    assert embedded[:3] == originals and embedded[3] == originals[0]
    assert "Photo p1.jpg" in reader.pages[1].extract_text()
    buffer = io.BytesIO()  # a file object works as well as a path
    canvas = NumberedCanvas(buffer)
    canvas.drawImage(str(photos[0]), 10, 10, width=80, height=60)
    canvas.save()
    assert PdfReader(io.BytesIO(buffer.getvalue())).pages[0].images[0].data == originals[0]


def test_pages_are_kept_only_as_compressed_streams_and_numbered_at_save(tmp_path):
    """'Page x of y' needs the total, yet no page is held for the whole document: each finished page
    is its compressed content stream, and its number is a form filled in when the document is saved."""
    decorated = []

    def decorate(canvas, number, total):
        decorated.append((number, total))
        canvas.setFillAlpha(0.2)  # as the DRAFT watermark: a graphics state inside the form
        canvas.drawRightString(500, 30, f"Page {number} of {total}")

    out = tmp_path / "numbered.pdf"
    canvas = NumberedCanvas(str(out), decorate=decorate)
    for n in range(3):
        canvas.drawString(50, 700, f"Body of page {n + 1}")
        canvas.showPage()
        page = canvas._doc.Pages.pages[-1]
        assert page.stream is None and page.Contents.content.startswith(b"x")  # zlib, nothing else
    assert decorated == []
    canvas.save()
    assert decorated == [(1, 3), (2, 3), (3, 3)]
    pages = PdfReader(str(out)).pages
    for n, page in enumerate(pages, start=1):
        assert f"Body of page {n}" in page.extract_text() and f"Page {n} of 3" in page.extract_text()
