"""The 5x5 grading grid for one room: every cell graded by the domain, ready for the template.

Each cell carries its score, matrix band, effective band (after the tier rule) and the page
sentence saying why a rule raised it, so the page and room.js show the live result without
re-implementing any risk rule in the browser.
"""
from __future__ import annotations

from dataclasses import dataclass

from inspect_app.domain import risk
from inspect_app.findings.services import policy_for


@dataclass(frozen=True)
class Cell:
    value: str  # "LxC", the form's grade value
    likelihood: int
    consequence: int
    score: int
    calculated_band: risk.Band
    band: risk.Band
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        """What a screen reader announces for the cell."""
        return (f"Likelihood {self.likelihood} {risk.LIKELIHOOD_LABELS[self.likelihood]}, consequence "
                f"{self.consequence} {risk.CONSEQUENCE_LABELS[self.consequence]}, score {self.score} "
                f"{self.band.label}")


def grade_cells(room) -> list[list[Cell]]:
    """Rows of cells, likelihood 5 (Almost certain) at the top, consequence 1 to 5 left to right."""
    policy = policy_for(room.ward)
    rows = []
    for likelihood in range(5, 0, -1):
        row = []
        for consequence in range(1, 6):
            result = risk.grade(likelihood, consequence, tier=room.tier, policy=policy)
            row.append(Cell(f"{likelihood}x{consequence}", likelihood, consequence, result.score,
                            result.calculated_band, result.band, result.reasons))
        rows.append(row)
    return rows
