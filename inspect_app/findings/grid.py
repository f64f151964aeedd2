"""The 5x5 grading grid for one room: every cell graded by the domain, ready for the template.

Each cell carries its score, matrix band, effective band (for a load-bearing point in this room:
the tier, patient group and observation floors) and the page sentences saying why a rule raised
it, so the page and room.js show the live result without re-implementing any risk rule in the
browser. A point that cannot bear a ligature has no floor; the server grades it on save.
"""
from __future__ import annotations

from dataclasses import dataclass

from inspect_app.domain import grading, risk
from inspect_app.findings.services import grading_policy_for, policy_for


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


def _context(room, load_bearing: grading.LoadBearing) -> grading.Context:
    return grading.Context(tier=room.tier, load_bearing=load_bearing, patient_group=room.ward.patient_group,
                           observation=room.observation)


def grade_cells(room) -> list[list[Cell]]:
    """Rows of cells, likelihood 5 (Almost certain) at the top, consequence 1 to 5 left to right."""
    bands, rules = policy_for(room.ward), grading_policy_for(room.ward)
    context = _context(room, grading.LoadBearing.FULL)
    rows = []
    for likelihood in range(5, 0, -1):
        row = []
        for consequence in range(1, 6):
            result = grading.grade_point(likelihood, consequence, context, bands=bands, policy=rules)
            row.append(Cell(f"{likelihood}x{consequence}", likelihood, consequence, result.score,
                            result.calculated_band, result.band, result.reasons))
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Floors:
    """The minimum band in this room for a fully and a partially load-bearing point, with why."""

    full: risk.Band | None
    full_reasons: tuple[str, ...]
    partial: risk.Band | None
    partial_reasons: tuple[str, ...]


def room_floors(room) -> Floors:
    """What the form tells the inspector before they pick a cell."""
    rules = grading_policy_for(room.ward)
    full = grading.floor(_context(room, grading.LoadBearing.FULL), rules)
    partial = grading.floor(_context(room, grading.LoadBearing.PARTIAL), rules)
    return Floors(full[0], full[1], partial[0], partial[1])
