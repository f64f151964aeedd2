"""Memory that does not grow with the report: photos read when they are written, and the file
written object by object.

ReportLab keeps every image's bytes from the moment it is drawn until the document is saved,
then formats the whole file into one list of byte strings and joins it: a 1,000-point report
held each photo twice over. Here a JPEG drawn from a file keeps only its path and size
(:class:`LazyJPEG`) and is read, written and dropped while the file is written, and the file
is written as each object is formatted (:func:`write_document`), so nothing is held for the
whole document but the small page descriptions.

Written against ReportLab 5.1 (pinned in requirements.txt): :func:`write_document` follows
``PDFDocument.GetPDFData`` and ``PDFDocument.format`` with the output collector swapped.
"""
from __future__ import annotations

import os

from reportlab import rl_config
from reportlab.lib import utils
from reportlab.pdfbase import pdfdoc, pdfutils

JPEG_SUFFIXES = (".jpg", ".jpeg")


class LazyJPEG(pdfdoc.PDFImageXObject):
    """An image XObject for a JPEG file that reads the file only when the PDF is written."""

    def __init__(self, name: str, path: str):  # not super().__init__: it would read the file now
        self.name, self.mask, self._path = name, None, path
        with open(path, "rb") as file:
            width, height, components = pdfutils.readJPEGInfo(file)[:3]
        self.width, self.height, self.bitsPerComponent = width, height, 8
        self.colorSpace = {1: "DeviceGray", 3: "DeviceRGB"}.get(components, "DeviceCMYK")
        if self.colorSpace == "DeviceCMYK":
            self._dotrans = 1
        self._filters = ("DCTDecode",)  # the JPEG bytes as they are (no ASCII85: a quarter smaller)
        self.streamContent = b""

    def format(self, document):
        with open(self._path, "rb") as file:
            self.streamContent = file.read()
        try:
            return super().format(document)
        finally:
            self.streamContent = b""


def is_jpeg_file(image) -> bool:
    return isinstance(image, (str, os.PathLike)) and os.fspath(image).lower().endswith(JPEG_SUFFIXES)


class _StreamingFile(pdfdoc.PDFFile):
    """ReportLab's output collector, writing to a file instead of keeping every string."""

    def __init__(self, out, pdf_version):  # not super().__init__: it would collect in a list
        self.strings = None
        self.write = out.write
        self.offset = 0
        self.add(pdfdoc.pdfdocEnc("%%PDF-%s.%s" % pdf_version)
                 + b"\n%\223\214\213\236 ReportLab Generated PDF document (opensource)\n")

    def format(self, document):
        return b""


def write_document(canvas, out) -> None:
    """Save ``canvas``'s document to ``out`` (a path or a binary file), streaming the objects."""
    doc = canvas._doc
    own = not callable(getattr(out, "write", None))
    file = open(utils.makeFileName(os.fspath(out)), "wb") if own else out  # noqa: SIM115 - closed below only if own
    try:
        # as PDFDocument.GetPDFData
        for font in doc.delayedFonts:
            font.addObjects(doc)
        doc.info.invariant = doc.invariant
        doc.info.digest(doc.signature)
        doc.Reference(doc.Catalog)
        doc.Reference(doc.info)
        doc.Outlines.prepare(doc, canvas)
        if doc.Outlines.ready < 0:
            doc.Catalog.Outlines = None
        _format(doc, _StreamingFile(file, doc._pdfVersion))
    finally:
        if own:
            file.close()


def _format(doc, output: _StreamingFile) -> None:
    """PDFDocument.format, writing each object as it is formatted."""
    doc.encrypt.prepare(doc)
    catalog, info = doc.Catalog, doc.info
    doc.Reference(catalog)
    doc.Reference(info)
    encrypt_info = doc.encrypt.info()
    encrypt_ref = doc.Reference(encrypt_info) if encrypt_info else None
    counter, ids = 0, []
    doc.__accum__ = output  # objects may ask where they are in the file
    while True:  # formatting may add objects: go until the numbering runs out
        counter += 1
        if counter not in doc.numberToId:
            break
        oid = doc.numberToId[counter]
        obj = doc.idToObject[oid]
        formatted = pdfdoc.PDFIndirectObject(oid, obj).format(doc)
        if not rl_config.invariant and rl_config.pdfComments:
            output.add("%% %s: class %s \n" % (ascii(oid), obj.__class__.__name__[:50]))
        doc.idToOffset[oid] = output.add(formatted)
        ids.append(oid)
    del doc.__accum__
    if counter - 1 != len(doc.numberToId):
        raise ValueError(f"counter {counter} does not match the object table ({len(doc.numberToId)})")
    xref = pdfdoc.PDFCrossReferenceTable()
    xref.addsection(0, ids)
    xref_offset = output.add(xref.format(doc))
    output.add(pdfdoc.PDFTrailer(startxref=xref_offset, Size=len(doc.numberToId) + 1, Root=doc.Reference(catalog),
                                 Info=doc.Reference(info), Encrypt=encrypt_ref, ID=doc.ID()).format(doc))
