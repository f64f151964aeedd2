"""Floor-plan geometry and the briefing version, over plain numbers and strings.

Positions are fractions (0 to 1) of the plan's width and height, so any rendition of the plan
(screen, print, thumbnail) maps them the same way.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

#: A room placed by a single tap is drawn as a box this big (fractions of the plan) around it.
TAP_BOX = 0.06


class PlanError(ValueError):
    """A position that is not on the plan; the message is shown to the user."""


def fraction(value: object, name: str) -> float:
    """``value`` as a float between 0 and 1 inclusive.

    :param value: a number, or its text as typed on a form or sent by a device.
    :param name: which position it is, for the message ("left", "top"...).
    :raises PlanError: not a number, not finite, or outside the plan.
    """
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise PlanError(f"The {name} position must be a number between 0 and 1.") from None
    if not 0.0 <= number <= 1.0:  # also refuses NaN and infinities
        raise PlanError(f"The {name} position must be on the plan (between 0 and 1).")
    return number


@dataclass(frozen=True)
class Area:
    """Where a room is on the plan: a rectangle, or a point when ``w`` and ``h`` are zero."""

    x: float
    y: float
    w: float = 0.0
    h: float = 0.0

    @property
    def is_point(self) -> bool:
        return not (self.w and self.h)

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, width, height) to draw: a point becomes a small box around it."""
        if not self.is_point:
            return self.x, self.y, self.w, self.h
        half = TAP_BOX / 2
        left, top = max(self.x - half, 0.0), max(self.y - half, 0.0)
        return left, top, min(TAP_BOX, 1.0 - left), min(TAP_BOX, 1.0 - top)

    def centre(self) -> tuple[float, float]:
        left, top, width, height = self.box()
        return left + width / 2, top + height / 2


def area(x: object, y: object, w: object = None, h: object = None) -> Area:
    """A room's area from form or API values: a point, or a rectangle that stays on the plan.

    :param x: the left edge (or the point), a fraction of the plan's width.
    :param y: the top edge (or the point), a fraction of the plan's height.
    :param w: the width, or None/empty for a point.
    :param h: the height, or None/empty for a point.
    :raises PlanError: a value is not a fraction, or the rectangle runs off the plan.
    """
    left, top = fraction(x, "left"), fraction(y, "top")
    if w in (None, "") and h in (None, ""):
        return Area(left, top)
    width, height = fraction(w, "width"), fraction(h, "height")
    if width == 0 or height == 0 or left + width > 1.000001 or top + height > 1.000001:
        raise PlanError("The room's rectangle must have a size and stay on the plan.")
    return Area(left, top, width, height)


def briefing_version(plan_sha256: str | None, placements: Iterable[tuple], extreme_points: Iterable[tuple]) -> str:
    """A fingerprint of what the ligature briefing shows: the plan image, where each room is,
    and the open Extreme points (with their pins). Any change makes the briefing due again.

    :param plan_sha256: the plan image's hash, or None when the ward has no plan.
    :param placements: (room id, x, y, w, h) for each placed room.
    :param extreme_points: (point id, pin x, pin y) for each open Extreme point.
    """
    content = {"plan": plan_sha256, "rooms": sorted(_rounded(p) for p in placements),
               "extreme": sorted(_rounded(p) for p in extreme_points)}
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


def _rounded(row: tuple) -> list:
    # floats from two databases must fingerprint alike: 6 decimals is far finer than a tap
    return [round(v, 6) if isinstance(v, float) else v for v in row]
