"""The ligature hot-spot map: one A4 landscape page per ward, the plan with numbered pins on
the left and the key on the right (number, room, point, band, interim control, status).

The data is a ``plans.mapdata.HotspotReport`` collected beforehand (``plans.mapdata.hotspot_report``):
the renderer never touches the session. Colour is never the only cue: each pin carries its
number, and the key names the band in words.
"""
from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, FrameBreak, Spacer

from .base import ReportRenderer
from .flowables import CountedTable, heading
from .styles import FONT_BOLD, RULE, STYLES, TEXT, Para, data_table_style, fmt_datetime, para_text

if TYPE_CHECKING:
    from inspect_app.plans.mapdata import HotspotReport

#: Pin fill colours by band (the web page's, darkened to print white numbers legibly).
PIN_COLOURS = {"low": "#1E5E22", "moderate": "#F9A825", "high": "#B34F00", "extreme": "#A31F1F"}
KEY_WIDTHS = (10 * mm, 24 * mm, 0, 17 * mm, 28 * mm)  # 0: the rest of the key frame


class PlanDrawing(Flowable):
    """The plan image scaled into the frame, with room outlines and numbered pins."""

    def __init__(self, image: bytes, plan_map, width: float, height: float):
        super().__init__()
        self.reader = ImageReader(BytesIO(image))
        image_w, image_h = self.reader.getSize()
        scale = min(width / image_w, height / image_h)
        self.width, self.height = image_w * scale, image_h * scale
        self.plan_map = plan_map

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def _at(self, x: float, y: float) -> tuple[float, float]:
        return x * self.width, (1 - y) * self.height  # PDF y runs upwards

    def draw(self):
        canv = self.canv
        canv.drawImage(self.reader, 0, 0, self.width, self.height)
        canv.setStrokeColor(RULE)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canv.setStrokeColor(colors.HexColor("#005EB8"))
        canv.setLineWidth(0.8)
        for room in self.plan_map.rooms:
            left, top = self._at(room.left, room.top)
            canv.rect(left, top - room.height * self.height, room.width * self.width, room.height * self.height)
        for pin in self.plan_map.pins:
            if pin.on_plan:
                self._pin(pin)

    def _pin(self, pin) -> None:
        canv = self.canv
        x, y = self._at(pin.x, pin.y)
        canv.setFillColor(colors.HexColor(PIN_COLOURS.get(pin.band or "", "#505A5F")))
        canv.setStrokeColor(colors.white if pin.pinned else TEXT)
        canv.setLineWidth(1.2)
        canv.setDash(() if pin.pinned else (2, 1.5))
        canv.circle(x, y, 3.6 * mm, stroke=1, fill=1)
        canv.setDash()
        canv.setFillColor(TEXT if pin.band == "moderate" else colors.white)
        canv.setFont(FONT_BOLD, 9)
        canv.drawCentredString(x, y - 3.2, str(pin.number))


class HotspotRenderer(ReportRenderer):
    pagesize = landscape(A4)
    left_margin = right_margin = 12 * mm
    top_margin = 18 * mm
    bottom_margin = 18 * mm
    plan_share = 0.6  # of the frame width, on the first page

    def _title(self) -> str:
        return f"Ligature hot-spot map \u2014 {self.report.ward}"

    def _subject(self) -> str:
        return f"{self.report.marking} ligature hot-spot map and staff briefing"

    def _header_right(self) -> str:
        return f"As at {fmt_datetime(self.report.generated_at)}"

    def _first_page_frames(self, doc):
        gap = 6 * mm
        plan_width = doc.width * self.plan_share
        return [self._frame(doc.leftMargin, doc.bottomMargin, plan_width, doc.height, "plan"),
                self._frame(doc.leftMargin + plan_width + gap, doc.bottomMargin, doc.width - plan_width - gap,
                            doc.height, "key")]

    def _story(self) -> list[Flowable]:
        r = self.report
        title = heading(f"Ligature hot-spot map: {para_text(r.ward)}", "Title")
        facts = Para(f"{para_text(r.site)} \u00b7 {para_text(r.trust)} \u00b7 briefing version "
                     f"{para_text(r.version[:12])} \u00b7 as at {fmt_datetime(r.generated_at)}", STYLES["Small"])
        plan = self._plan_flowable()
        return [title, facts, Spacer(1, 3 * mm), plan, FrameBreak(), *self._key()]

    def _plan_flowable(self) -> Flowable:
        width = self.frame_width * self.plan_share
        if not self.report.plan_image:
            return Para("This ward has no floor plan yet: the key lists its open ligature points by room.",
                        STYLES["Notice"])
        return PlanDrawing(self.report.plan_image, self.report.plan, width, self.frame_height - 22 * mm)

    def _key(self) -> list[Flowable]:
        pins = self.report.plan.pins
        head = heading(f"Key: {len(pins)} open ligature point{'s' if len(pins) != 1 else ''}", "Subtitle")
        return [head, *key_table(pins, self.frame_width * (1 - self.plan_share) - 6 * mm)]


def key_table(pins, width: float) -> list[Flowable]:
    """The key to the numbered pins, ``width`` points wide, and the note on how to read it."""
    if not pins:
        return [Para("No open ligature points are recorded on this ward.", STYLES["Body"])]
    widths = [w or width - sum(KEY_WIDTHS) for w in KEY_WIDTHS]
    rows = [[Para(h, STYLES["TableHead"]) for h in ("No.", "Room", "Point", "Band", "Interim control")]]
    rows += [_row(pin) for pin in pins]
    table = CountedTable(rows, colWidths=widths, repeatRows=1)
    table.setStyle(data_table_style())
    note = Para("A dashed ring: not pinned yet, drawn at its room. \u2018Not on the plan\u2019: the room is "
                "not placed. Accepted risks and expired interim controls are shown as such.", STYLES["Small"])
    return [table, Spacer(1, 2 * mm), note]


def _row(pin) -> list:
    where = para_text(pin.room) + ("" if pin.on_plan else " (not on the plan)")
    point = f"<b>{para_text(pin.ref)}</b> {para_text(pin.description)}<br/><i>{para_text(pin.status)}</i>"
    control = para_text(pin.interim_control) + (" <b>(review date passed)</b>" if pin.interim_expired else "")
    return [Para(str(pin.number), STYLES["CellBold"]), Para(where, STYLES["Cell"]), Para(point, STYLES["Cell"]),
            Para(para_text(pin.band_label), STYLES["CellBold"]), Para(control, STYLES["Cell"])]


def plan_section(floor_plan: HotspotReport, width: float, max_height: float) -> list[Flowable]:
    """The plan with numbered pins and its key, for another report (the inspection report)."""
    return [PlanDrawing(floor_plan.plan_image, floor_plan.plan, width, max_height), Spacer(1, 3 * mm),
            *key_table(floor_plan.plan.pins, width)]


def render_hotspot(report: HotspotReport) -> bytes:
    return HotspotRenderer(report).render()


__all__ = ["HotspotRenderer", "plan_section", "render_hotspot"]
