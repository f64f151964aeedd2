"""WCAG 2.x colour contrast, used to choose readable text on risk-band chips.

Band colours are configurable per trust, so the text colour on a chip cannot be hard-coded:
it is derived from (or checked against) the background with the WCAG formula.
"""
from __future__ import annotations

import re

#: WCAG 2.x level AA minimum for normal-size text.
AA_NORMAL_TEXT = 4.5

BLACK = "#000000"
WHITE = "#ffffff"

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def is_hex_colour(value: object) -> bool:
    """True for a ``#rrggbb`` string; short ``#rgb`` and names are refused to keep exports exact.

    :param value: anything read from a trust's configuration.
    """
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


def relative_luminance(hex_colour: str) -> float:
    """Relative luminance (0 black .. 1 white) as defined by WCAG 2.x.

    :param hex_colour: a ``#rrggbb`` colour.
    :raises ValueError: when the colour is not ``#rrggbb``.
    """
    if not is_hex_colour(hex_colour):
        raise ValueError(f"{hex_colour!r} is not a colour in #rrggbb form.")
    channels = []
    for start in (1, 3, 5):
        srgb = int(hex_colour[start:start + 2], 16) / 255
        # Undo the sRGB transfer curve; the 0.03928 threshold is the one WCAG 2.x specifies.
        channels.append(srgb / 12.92 if srgb <= 0.03928 else ((srgb + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """Contrast ratio between two colours, from 1.0 (identical) to 21.0 (black on white).

    :param first: a ``#rrggbb`` colour.
    :param second: another ``#rrggbb`` colour; order does not matter.
    """
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def best_text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background``.

    One of the two always reaches at least 4.58:1 (the square root of 21), so this choice
    always passes WCAG AA for normal text.

    :param background: the chip's ``#rrggbb`` fill colour.
    """
    if contrast_ratio(background, BLACK) >= contrast_ratio(background, WHITE):
        return BLACK
    return WHITE
