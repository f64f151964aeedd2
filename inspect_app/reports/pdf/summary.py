"""The inspection report's executive summary: headline figures, points still present by band, change
since the last inspection, and the 5x5 heat map with its key."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from ..data import ChangeSummary, InspectionReport
from .flowables import BandChip, heading
from .heatmap import band_scores, heatmap_table, score_range
from .styles import FONT_BOLD, MUTED, PALE, RED, STYLES, WHITE, Para, data_table_style, para_text


def summary(r: InspectionReport, frame_width: float) -> list[Flowable]:
    """The executive summary: figures, points by band, change since last time, the heat map."""
    return [
        heading("1. Executive summary", "H1", level=0),
        _figures(r, frame_width), Spacer(1, 4 * mm),
        Table([[_band_table(r), _change_table(r.change)]],
              colWidths=[frame_width * 0.52, frame_width * 0.48],
              style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                     ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
        heading("Risk matrix: ligature points still present, by likelihood and consequence", "H3"),
        heatmap_table(r.heatmap, r.cell_bands,
                      raised=[[r.raised(li, ci) for ci in range(1, 6)] for li in range(1, 6)]),
        Spacer(1, 2 * mm),
        Para("Each cell shows how many ligature points were graded at that likelihood and "
             "consequence. Key: a cell holding points takes the colour of the highest band of those "
             "points after the tier rule; an empty cell shows the matrix band, tinted. A cell marked * "
             "holds a point raised above the matrix band by the tier rule.", STYLES["Muted"]),
    ]


def _figures(r: InspectionReport, frame_width: float) -> Table:
    rooms = r.rooms
    not_accessible = sum(room.is_not_accessible for room in rooms)
    inspected = sum(room.state == "complete" for room in rooms)
    overdue = sum(action.is_overdue for action in r.actions)
    figures = [(f"{inspected} of {len(rooms)}", "rooms inspected"),
               (str(not_accessible), "rooms not accessible"),
               (str(r.finding_count), "ligature points"),
               (str(len(r.actions)), f"actions ({overdue} overdue)")]
    cells = [[Para(value, STYLES["Figure"]), Para(label, STYLES["FigureLabel"])]
             for value, label in figures]
    width = frame_width / len(cells)
    return Table([cells], colWidths=[width] * len(cells), style=[
        ("BACKGROUND", (0, 0), (-1, -1), PALE),
        ("LINEAFTER", (0, 0), (-2, -1), 3, WHITE),
        ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])


def _band_table(r: InspectionReport) -> list[Flowable]:
    total = sum(count for _, count in r.band_counts) or 1
    rows = [[Para(h, STYLES["TableHead"]) for h in ("Band", "Scores", "Points", "Share")]]
    worst_first = sorted(r.band_counts,
                         key=lambda bc: -max(band_scores(bc[0], r.band_matrix), default=0))
    for band, count in worst_first:
        rows.append([BandChip(band), score_range(band, r.band_matrix), str(count),
                     f"{round(100 * count / total)}%"])
    rows.append(["Total", "", str(sum(c for _, c in r.band_counts)), ""])
    style = data_table_style() + [("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                                  ("FONT", (0, -1), (-1, -1), FONT_BOLD, 8.5),
                                  ("LINEABOVE", (0, -1), (-1, -1), 0.75, MUTED)]
    table = Table(rows, colWidths=[28 * mm, 20 * mm, 20 * mm, 18 * mm], style=style,
                  hAlign="LEFT")
    return [heading("Ligature points still present, by band", "H3"), table]


def _change_table(change: ChangeSummary) -> list[Flowable]:
    rows = [[Para(h, STYLES["TableHead"]) for h in ("Since last inspection", "Points")],
            ["New", str(change.new)], ["Still present", str(change.still_present)],
            ["Fixed", str(change.fixed)], ["Fixed but defective", str(change.fixed_defective)]]
    style = data_table_style() + [("ALIGN", (1, 0), (1, -1), "RIGHT")]
    if change.fixed_defective:
        style.append(("TEXTCOLOR", (0, -1), (-1, -1), RED))
    previous = (f"Compared with inspection {para_text(change.previous_inspection)}."
                if change.previous_inspection
                else "No earlier inspection of this ward on record.")
    return [heading("Change since last inspection", "H3"),
            Table(rows, colWidths=[45 * mm, 20 * mm], style=style, hAlign="LEFT"),
            Spacer(1, 2 * mm), Para(previous, STYLES["Muted"])]
