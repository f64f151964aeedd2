"""Draw the app icons once (192/512 px, plus maskable variants) into inspect_app/static/icons/.

Run again only when the design changes: ``python scripts/make_icons.py``. The PNGs are committed,
so nothing is drawn at build or run time. The mark is a white clipboard tick on NHS blue; the
maskable variants keep it inside the 80 % safe zone that launchers crop to.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (0, 94, 184)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "inspect_app" / "static" / "icons"


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), BLUE)
    pen = ImageDraw.Draw(image)
    scale = size * (0.56 if maskable else 0.74)  # the mark's box; maskable stays in the safe zone
    left, top = (size - scale) / 2, (size - scale) / 2
    board = [left + scale * 0.12, top + scale * 0.08, left + scale * 0.88, top + scale]
    pen.rounded_rectangle(board, radius=scale * 0.08, outline=WHITE, width=max(2, round(scale * 0.07)))
    pen.rounded_rectangle([left + scale * 0.34, top, left + scale * 0.66, top + scale * 0.18],
                          radius=scale * 0.04, fill=WHITE)
    tick = [(left + scale * 0.30, top + scale * 0.58), (left + scale * 0.46, top + scale * 0.74),
            (left + scale * 0.72, top + scale * 0.42)]
    pen.line(tick, fill=WHITE, width=max(3, round(scale * 0.09)), joint="curve")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
        draw(size, maskable=True).save(OUT / f"maskable-{size}.png", optimize=True)
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
