"""The heat map laid out for the HTML report: likelihood 5 at the top, consequence 1 on the left,
as the PDF prints it."""
from __future__ import annotations

from dataclasses import dataclass

from inspect_app.domain.risk import CONSEQUENCE_LABELS, LIKELIHOOD_LABELS

from .data import BandInfo, InspectionReport


@dataclass(frozen=True)
class HeatCell:
    likelihood: int
    consequence: int
    count: int
    band: BandInfo  # the highest band after the tier rule of the points in the cell, else the matrix band
    raised: bool = False  # holds a point the tier rule put above the matrix band

    @property
    def description(self) -> str:
        raised = ", raised by the tier rule" if self.raised else ""
        return (f"Likelihood {self.likelihood} {LIKELIHOOD_LABELS[self.likelihood]}, consequence "
                f"{self.consequence} {CONSEQUENCE_LABELS[self.consequence]}: {self.band.label} band{raised}, "
                f"{self.count} ligature point{'' if self.count == 1 else 's'}")


def heat_rows(report: InspectionReport) -> list[tuple[int, str, list[HeatCell]]]:
    """``(likelihood, label, cells)`` from likelihood 5 down to 1."""
    return [(li, LIKELIHOOD_LABELS[li],
             [HeatCell(li, ci, report.heatmap[li - 1][ci - 1], report.cell_bands[li - 1][ci - 1],
                       report.raised(li, ci))
              for ci in range(1, 6)]) for li in range(5, 0, -1)]
