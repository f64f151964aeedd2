"""The NHS 5x5 risk matrix as a heat map: how many ligature points sit in each cell.

Likelihood runs 5 (top) to 1 (bottom) and consequence 1 (left) to 5 (right), the way NPSA
matrices are printed, so the extreme corner is top right. Each cell takes its band's colour;
empty cells are tinted so the eye goes to the cells that hold findings.
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from .styles import FONT, FONT_BOLD, MUTED, STYLES, TEXT, WHITE, Para, band_colours, tint

LIKELIHOOD_LABELS = ("Rare", "Unlikely", "Possible", "Likely", "Almost certain")
CONSEQUENCE_LABELS = ("Negligible", "Minor", "Moderate", "Major", "Catastrophic")


def heatmap_table(heatmap, band_matrix, *, label_width: float = 34 * mm,
                  cell_width: float = 24 * mm, cell_height: float = 12 * mm, raised=None) -> Table:
    """A ``Table`` of counts, ``heatmap[likelihood - 1][consequence - 1]``, coloured by band.

    :param heatmap: 5x5 counts.
    :param band_matrix: 5x5 :class:`~inspect_app.reports.data.BandInfo`, indexed the same way: the
        band each cell is drawn in (the inspection report passes the bands after the tier rule).
    :param raised: 5x5 booleans, indexed the same way: the cell holds a point the tier rule raised
        above the matrix band (printed with a *).
    """
    head = STYLES["SmallBold"]
    rows = [
        ["", "Consequence", "", "", "", ""],
        [Para("Likelihood", head)]
        + [Para(f"{c}&nbsp;{name}", STYLES["CellCentre"])
           for c, name in enumerate(CONSEQUENCE_LABELS, start=1)],
    ]
    style = [
        ("SPAN", (1, 0), (5, 0)),
        ("ALIGN", (1, 0), (-1, 0), "CENTER"),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
        ("TEXTCOLOR", (0, 0), (-1, 0), TEXT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 2), (-1, -1), "CENTER"),
        ("FONT", (1, 2), (-1, -1), FONT_BOLD, 15),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (1, 2), (-1, -1), 7),
        ("LINEBELOW", (1, 1), (-1, 1), 0.75, MUTED),
        ("LINEAFTER", (0, 2), (0, -1), 0.75, MUTED),
    ]
    for row_index, likelihood in enumerate(range(5, 0, -1), start=2):
        label = f"{likelihood}&nbsp;&nbsp;{LIKELIHOOD_LABELS[likelihood - 1]}"
        row = [Para(label, STYLES["Cell"])]
        for consequence in range(1, 6):
            count = heatmap[likelihood - 1][consequence - 1]
            band = band_matrix[likelihood - 1][consequence - 1]
            fill, ink = band_colours(band)
            col = consequence
            if count:
                style += [("BACKGROUND", (col, row_index), (col, row_index), fill),
                          ("TEXTCOLOR", (col, row_index), (col, row_index), ink)]
            else:
                style += [("BACKGROUND", (col, row_index), (col, row_index), tint(fill, 0.72)),
                          ("TEXTCOLOR", (col, row_index), (col, row_index), MUTED),
                          ("FONT", (col, row_index), (col, row_index), FONT, 11)]
            row.append(f"{count}*" if raised and raised[likelihood - 1][consequence - 1] else str(count))
        rows.append(row)
    style.append(("GRID", (1, 2), (-1, -1), 1.5, WHITE))
    return Table(rows, colWidths=[label_width] + [cell_width] * 5,
                 rowHeights=[6 * mm, 9 * mm] + [cell_height] * 5,
                 style=TableStyle(style), hAlign="LEFT")


def band_scores(band, band_matrix) -> list[int]:
    """The scores (likelihood x consequence) of the cells the matrix puts in ``band``."""
    return [li * ci for li, row in enumerate(band_matrix, start=1)
            for ci, cell in enumerate(row, start=1) if cell.code == band.code]


def score_range(band, band_matrix) -> str:
    """The score range a band covers in the matrix, e.g. "8-12"."""
    scores = band_scores(band, band_matrix)
    if not scores:
        return ""
    low, high = min(scores), max(scores)
    return str(low) if low == high else f"{low}\u2013{high}"
