"""The inspection report's action plan: one row per action, with its interim control, owner, target
date and status (overdue, accepted, past its review date in red)."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table

from ..data import ReportAction
from .flowables import BandChip, TextLines, table_heading
from .styles import FONT_BOLD, RED_HEX, STYLES, Para, cell_text, data_table_style, fmt_date, is_plain, para_text

REF_RIGHT_PADDING = 2  # the action plan's reference column


def action_plan(actions: tuple[ReportAction, ...], frame_width: float) -> list[Flowable]:
    """The points' actions in a table, most severe and soonest first (the order they come in)."""
    flow: list[Flowable] = table_heading("4. Action plan", "H1", level=0)
    if not actions:
        return flow + [Para("No actions were raised.", STYLES["Body"])]
    head = ("Ref", "Room", "Action", "Band", "Interim control", "Owner", "Target date", "Status")
    rows = [[Para(h, STYLES["TableHead"]) for h in head]]
    widths = [18, 19, 0, 17, 26, 19, 19, 24]  # the action text takes what is left (about 32 mm)
    widths[2] = frame_width / mm - sum(widths)
    # the text room inside each text column (room, action, interim control, owner, target date,
    # status) after the table's 4 pt paddings
    fits = [widths[i] * mm - 8 for i in (1, 2, 4, 5, 6, 7)]
    for a in actions:
        status = para_text(a.status)
        if a.is_overdue:
            overdue = f"{a.overdue_days} days overdue"
            status += f'<br/><font color="{RED_HEX}"><b>{overdue}</b></font>'
        if a.accepted:
            status += f'<br/><font color="{RED_HEX}">{para_text(a.accepted)}</font>'
        interim = para_text(a.interim_control, "\u2014")
        if a.interim_control and a.interim_review_date:
            interim += f"<br/><font size=7>review by {fmt_date(a.interim_review_date)}</font>"
        if a.interim_past_review:
            interim += f'<br/><font color="{RED_HEX}"><b>Past its review date</b></font>'
        ref = _action_ref(a, widths[0] * mm - 4 - REF_RIGHT_PADDING)
        texts = (para_text(a.room), para_text(a.summary), interim, para_text(a.owner),
                 fmt_date(a.target_date), status)
        cells = [cell_text(text, STYLES["Cell"], fit) for text, fit in zip(texts, fits, strict=False)]
        rows.append([ref, *cells[:2], BandChip(a.band, font_size=7.5), *cells[2:]])
    # "ACT-00086" in bold is 43.9 pt: with the usual 4 pt right padding the 18 mm column left 43.0
    # and the reference broke inside itself; 2 pt keeps it whole
    style = [*data_table_style(), ("RIGHTPADDING", (0, 1), (0, -1), REF_RIGHT_PADDING)]
    return flow + [Table(rows, colWidths=[w * mm for w in widths], repeatRows=1,
                         style=style, hAlign="LEFT", splitInRow=1)]


def _action_ref(action, width: float) -> Flowable:
    """The action's reference in bold over its point's in 7 pt."""
    ref, point = para_text(action.ref), para_text(action.finding_ref)
    cell = STYLES["Cell"]
    if (not is_plain(ref + point) or stringWidth(ref, FONT_BOLD, cell.fontSize) > width
            or stringWidth(point, cell.fontName, 7) > width):
        return Para(f"<b>{ref}</b><br/><font size=7>{point}</font>", cell)
    return TextLines([(ref, FONT_BOLD, cell.fontSize), (point, cell.fontName, 7)], cell.leading, cell.textColor)
