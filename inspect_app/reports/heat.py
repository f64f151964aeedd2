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
    band: BandInfo

    @property
    def description(self) -> str:
        return (f"Likelihood {self.likelihood} {LIKELIHOOD_LABELS[self.likelihood]}, consequence "
                f"{self.consequence} {CONSEQUENCE_LABELS[self.consequence]}: {self.band.label} band, "
                f"{self.count} ligature point{'' if self.count == 1 else 's'}")


def heat_rows(report: InspectionReport) -> list[tuple[int, str, list[HeatCell]]]:
    """``(likelihood, label, cells)`` from likelihood 5 down to 1."""
    return [(li, LIKELIHOOD_LABELS[li],
             [HeatCell(li, ci, report.heatmap[li - 1][ci - 1], report.band_matrix[li - 1][ci - 1])
              for ci in range(1, 6)]) for li in range(5, 0, -1)]
