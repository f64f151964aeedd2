"""The remediation tracker: open ligature actions across a trust, site or ward (A4 landscape).

A summary by band comes first, then one row per action in the order given (band, then
overdue first). Overdue days are printed in red on a red tint so they survive a greyscale
photocopy as bold text.
"""
from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from ..data import ReportAction, TrackerReport
from .base import Output, Progress, ReportRenderer
from .flowables import BandChip, CountedTable, heading, table_heading
from .styles import (
    EMPTY,
    FONT,
    FONT_BOLD,
    MUTED,
    MUTED_HEX,
    PALE,
    PALE_RED,
    RED,
    RED_HEX,
    STYLES,
    Para,
    data_table_style,
    fmt_date,
    fmt_datetime,
    para_text,
)

COLUMNS = (  # heading, width in mm (0 = the rest of the frame)
    ("Ref", 21), ("Ward", 30), ("Room", 26), ("Action", 0), ("Band", 18), ("Owner", 25),
    ("Status", 23), ("Interim control", 36), ("Target date", 21), ("Age (days)", 13),
    ("Overdue (days)", 15),
)


class TrackerRenderer(ReportRenderer):
    pagesize = landscape(A4)
    left_margin = right_margin = 14 * mm
    top_margin = 24 * mm
    bottom_margin = 21 * mm

    def __init__(self, report: TrackerReport, progress=None):
        super().__init__(report, progress)
        self._rows_total = len(report.actions)

    def _title(self) -> str:
        return f"Ligature remediation tracker \u2014 {self.report.scope}"

    def _subject(self) -> str:
        return f"{self.report.marking} ligature remediation tracker"

    def _header_left(self) -> str:
        return f"Ligature remediation tracker \u00b7 {self.report.scope} \u00b7 {self.report.trust}"

    def _header_right(self) -> str:
        return f"As at {fmt_datetime(self.report.generated_at)}"

    def _story(self) -> list[Flowable]:
        return [*self._title_block(), *self._summary(), Spacer(1, 5 * mm), *self._actions()]

    def _title_block(self) -> list[Flowable]:
        r = self.report
        filters = "; ".join(f"{para_text(name)}: {para_text(value)}" for name, value in r.filters)
        facts = [("Trust", para_text(r.trust)), ("Scope", para_text(r.scope)),
                 ("Filters applied", filters or "None (all actions in scope)"),
                 ("Generated", f"{fmt_datetime(r.generated_at)} by {para_text(r.generated_by)}")]
        rows = [[Para(k, STYLES["FieldLabel"]), Para(v, STYLES["Small"])] for k, v in facts]
        return [
            Para("Ligature remediation tracker",
                 STYLES["Title"].clone("TrackerTitle", fontSize=20, leading=24)),
            Table(rows, colWidths=[32 * mm, 150 * mm], hAlign="LEFT", splitInRow=1, style=[
                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]),
        ]

    def _bands(self):
        if self.report.bands:
            return tuple(reversed(self.report.bands))
        seen = {}
        for action in self.report.actions:
            seen.setdefault(action.band.code, action.band)
        return tuple(seen.values())

    def _summary(self) -> list[Flowable]:
        actions = self.report.actions
        bands = self._bands()
        head = [""] + [BandChip(band) for band in bands] + [Para("Total", STYLES["SmallBold"])]
        counts = ["Actions"] + [str(sum(a.band.code == b.code for a in actions)) for b in bands]
        overdue = ["Overdue"] + [str(sum(a.band.code == b.code and a.is_overdue for a in actions))
                                 for b in bands]
        counts.append(str(len(actions)))
        overdue.append(str(sum(a.is_overdue for a in actions)))
        style = [("ALIGN", (1, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("FONT", (1, 1), (-1, -1), FONT, 9.5),
                 ("FONT", (0, 1), (0, -1), FONT_BOLD, 8.5), ("TEXTCOLOR", (0, 1), (0, -1), MUTED),
                 ("BACKGROUND", (0, 1), (-1, -1), PALE),
                 ("FONT", (-1, 1), (-1, -1), FONT_BOLD, 8.5), ("LINEBELOW", (0, 1), (-1, 1), 0.5,
                                                              "#FFFFFF")]
        for col, value in enumerate(overdue[1:], start=1):
            if value != "0":
                style += [("TEXTCOLOR", (col, 2), (col, 2), RED),
                          ("FONT", (col, 2), (col, 2), FONT_BOLD, 8.5)]
        return [heading("Summary", "H3"),
                Table([head, counts, overdue], colWidths=[22 * mm] + [24 * mm] * (len(bands) + 1),
                      style=style, hAlign="LEFT")]

    def _actions(self) -> list[Flowable]:
        actions = self.report.actions
        flow: list[Flowable] = table_heading("Actions", "H3")
        if not actions:
            return flow + [Para("No actions match these filters.", STYLES["Body"])]
        rows = [[Para(h, STYLES["TableHead"]) for h, _ in COLUMNS]]
        style = data_table_style() + [("ALIGN", (-2, 1), (-1, -1), "RIGHT"),
                                      ("FONT", (-2, 1), (-1, -1), FONT, 8.5)]
        for index, action in enumerate(actions, start=1):
            rows.append(self._row(action))
            if action.is_overdue:
                style += [("BACKGROUND", (-1, index), (-1, index), PALE_RED),
                          ("TEXTCOLOR", (-1, index), (-1, index), RED),
                          ("FONT", (-1, index), (-1, index), FONT_BOLD, 9)]
        widths = [w * mm for _, w in COLUMNS]
        widths[3] = self.frame_width - sum(widths)
        return flow + [CountedTable(rows, colWidths=widths, repeatRows=1, style=style,
                                    hAlign="LEFT")]

    def _row(self, a: ReportAction) -> list:
        interim = para_text(a.interim_control, "None recorded")
        if a.interim_by:
            interim += f'<br/><font color="{MUTED_HEX}">by {fmt_datetime(a.interim_by)}</font>'
        status = para_text(a.status)
        if a.is_overdue:
            status += f'<br/><font color="{RED_HEX}"><b>Overdue</b></font>'
        cell = STYLES["Cell"]
        return [
            Para(para_text(a.ref), STYLES["CellBold"]),
            Para(f"{para_text(a.ward)}<br/><font size=7>{para_text(a.site)}</font>", cell),
            Para(para_text(a.room), cell),
            Para(para_text(a.summary) + (f'<br/><font size=7 color="{MUTED_HEX}">{para_text(a.grades)}</font>'
                                         if a.grades else ""), cell),
            BandChip(a.band, font_size=7.5),
            Para(para_text(a.owner), cell),
            Para(status, cell),
            Para(interim, cell),
            Para(fmt_date(a.target_date), cell),
            str(a.age_days),
            str(a.overdue_days) if a.is_overdue else EMPTY,
        ]


def render_tracker(report: TrackerReport, out: Output = None,
                   progress: Progress | None = None) -> bytes | None:
    """Render the remediation tracker.

    :param report: the snapshot to print.
    :param out: a path or binary file to write to; when omitted the PDF bytes are returned.
    :param progress: called with ``(action rows laid out, total rows)`` as each page fills.
    """
    return TrackerRenderer(report, progress).render(out)
