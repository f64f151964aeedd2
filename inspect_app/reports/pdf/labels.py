"""A sheet of room labels, each with a QR code that opens the room's checklist (A4, 2 x 5).

Each page template holds one frame per label, so platypus places one label per frame and
starts a new page after the tenth. The QR code is ReportLab's own ``QrCodeWidget``,
drawn as vector squares; at 42 mm including the quiet zone the code itself is about
33-36 mm across for a typical room URL, comfortably above the 30 mm a phone needs at arm's
length. Error correction level M leaves room for a scuffed label.
"""
from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Frame, KeepInFrame, Spacer

from ..data import LabelSheet, RoomLabel
from .base import Output, Progress, ReportRenderer
from .styles import RULE, STYLES, Para, fmt_datetime, para_text

LABEL_WIDTH = 95 * mm
LABEL_HEIGHT = 48 * mm
QR_SIZE = 42 * mm


class SeamlessQrWidget(QrCodeWidget):
    """``QrCodeWidget`` whose modules are outlined by a hair in their own colour.

    The widget draws each run of dark modules as its own rectangle, edge to edge; renderers
    anti-alias those edges into faint white seams, and at 150 dpi zbar then missed about one
    code in ten. A stroke of a tenth of a module closes the seams without moving any edge
    enough to matter to a decoder.
    """

    def draw(self):
        group = super().draw()  # also runs self.qr.make()
        modules = self.qr.getModuleCount() + 2 * self.barBorder
        module = min(self.barWidth, self.barHeight) / modules
        for shape in group.contents[1:]:  # the first is the invisible bounding box
            shape.strokeColor = self.barFillColor
            shape.strokeWidth = module / 10
        return group


class RoomLabelFlowable(Flowable):
    """One label: the QR code on the left, room, ward and site on the right, a cut line round."""

    padding = 3 * mm

    def __init__(self, label: RoomLabel, width: float = LABEL_WIDTH, height: float = LABEL_HEIGHT,
                 qr_size: float = QR_SIZE):
        super().__init__()
        self.label = label
        self.width, self.height, self.qr_size = width, height, qr_size
        self.qr = SeamlessQrWidget(label.url, barLevel="M", barWidth=qr_size, barHeight=qr_size)

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.setDash(2, 2)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canv.restoreState()

        drawing = Drawing(self.qr_size, self.qr_size)
        drawing.add(self.qr)
        renderPDF.draw(drawing, canv, self.padding, (self.height - self.qr_size) / 2)

        text_x = self.padding + self.qr_size + 2 * mm
        text_width = self.width - text_x - self.padding
        text_height = self.height - 2 * self.padding
        content = [
            Para(para_text(self.label.room), STYLES["LabelRoom"]),
            Spacer(1, 1.5 * mm),
            Para(para_text(self.label.ward), STYLES["SmallBold"]),
            Para(para_text(self.label.site), STYLES["Small"]),
            Spacer(1, 2.5 * mm),
            Para("Scan to open this room's ligature checklist", STYLES["Tiny"]),
            Para(para_text(self.label.url), STYLES["Tiny"].clone("Url", splitLongWords=1)),
        ]
        frame = Frame(text_x, self.padding, text_width, text_height, leftPadding=0,
                      rightPadding=0, topPadding=1 * mm, bottomPadding=0)
        frame.addFromList([KeepInFrame(text_width, text_height - 1 * mm, content, mode="shrink")],
                          canv)


def label_flowable(label: RoomLabel) -> RoomLabelFlowable:
    """The flowable for one label; its ``qr.value`` is exactly ``label.url``."""
    return RoomLabelFlowable(label)


class LabelSheetRenderer(ReportRenderer):
    columns = 2
    rows = 5
    column_gap = 3 * mm
    row_gap = 3 * mm
    left_margin = right_margin = (210 * mm - 2 * LABEL_WIDTH - 3 * mm) / 2
    top_margin = bottom_margin = (297 * mm - 5 * LABEL_HEIGHT - 4 * 3 * mm) / 2

    def _title(self) -> str:
        return f"Room QR labels \u2014 {self.report.ward}, {self.report.site}"

    def _subject(self) -> str:
        return f"{self.report.marking} room labels for ligature inspections"

    def _author(self) -> str:
        return self.report.trust

    def _header_left(self) -> str:
        r = self.report
        return f"Room QR labels \u00b7 {r.ward}, {r.site} \u00b7 {r.trust}"

    def _footer_left(self) -> str:
        return f"Printed {fmt_datetime(self.report.generated_at)} \u00b7 cut along the dashed lines"

    def _on_first_page(self, canv, doc) -> None:
        self._on_later_page(canv, doc)  # every sheet looks the same

    def _label_frames(self, doc) -> list[Frame]:
        frames = []
        top = self.page_height - self.top_margin
        for row in range(self.rows):
            for col in range(self.columns):
                x = self.left_margin + col * (LABEL_WIDTH + self.column_gap)
                y = top - (row + 1) * LABEL_HEIGHT - row * self.row_gap
                frames.append(self._frame(x, y, LABEL_WIDTH, LABEL_HEIGHT, f"label{row}-{col}"))
        return frames

    _first_page_frames = _later_page_frames = _label_frames

    def _story(self) -> list[Flowable]:
        labels = self.report.labels
        if not labels:
            return [Para("There are no rooms to label.", STYLES["Body"])]
        story = []
        for done, label in enumerate(labels, start=1):
            flowable = label_flowable(label)
            flowable.progress_mark = (done, len(labels))
            story.append(flowable)
        return story


def render_labels(sheet: LabelSheet, out: Output = None,
                  progress: Progress | None = None) -> bytes | None:
    """Render a sheet of room QR labels.

    :param sheet: the labels to print.
    :param out: a path or binary file to write to; when omitted the PDF bytes are returned.
    :param progress: called with ``(labels placed, total labels)``.
    """
    return LabelSheetRenderer(sheet, progress).render(out)
