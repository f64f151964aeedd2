"""Invented floor plans for two demo wards, drawn with Pillow at seed time (no real building):
wings, each a corridor with a row of rooms on either side, each room named in the drawing (once: the
pages outline the rooms, they do not label them again). The rooms are placed where they are drawn, and
the wards' open points are pinned inside their rooms, through the same services as the pages.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Room, Trust, Ward
from inspect_app.extensions import db
from inspect_app.plans import services as plans
from inspect_app.plans.mapdata import open_points

WIDTH = 1600
MARGIN = 40
ROW, CORRIDOR, GAP = 170, 70, 80  # heights of a row of rooms, a corridor, and the gap between wings
#: At most this many rooms in a row, so each is wide enough for its name: a ward with more rooms
#: gets another wing (Willow's 35 rooms two wings, Larch's 45 three).
MOST_IN_A_ROW = 9
PLANNED_WARDS = ("Larch Ward", "Willow Ward")

Span = tuple[int, int]


@dataclass(frozen=True)
class Layout:
    boxes: dict[int, tuple[int, int, int, int]]  # room id: pixel box (left, top, right, bottom)
    wings: list[tuple[Span, Span, Span]]  # y ranges: (top row, corridor, bottom row)
    height: int


def plan_layout(rooms: list[Room]) -> Layout:
    """Wings of a row of rooms above a corridor and a row below it; the rooms in walk order along the rows."""
    count = max(2, -(-len(rooms) // (2 * MOST_IN_A_ROW)))  # ceiling division
    wings, y = [], MARGIN
    for _ in range(count):
        wings.append(((y, y + ROW), (y + ROW, y + ROW + CORRIDOR), (y + ROW + CORRIDOR, y + 2 * ROW + CORRIDOR)))
        y += 2 * ROW + CORRIDOR + GAP
    rows = [row for wing in wings for row in (wing[0], wing[2])]
    per_row = max(-(-len(rooms) // len(rows)), 1)
    width = (WIDTH - 2 * MARGIN) / per_row
    boxes = {}
    for r, (y0, y1) in enumerate(rows):
        for i, room in enumerate(rooms[r * per_row:(r + 1) * per_row]):
            boxes[room.id] = (int(MARGIN + i * width), y0, int(MARGIN + (i + 1) * width), y1)
    return Layout(boxes, wings, y - GAP + MARGIN)


#: Room names are drawn in the top part of each room (pins go below them), as large as fits:
#: from 30 px down to 18 px of the 1,600 px plan (about 13 to 9 px on a phone's scrolled plan).
LABEL_SIZES = range(30, 17, -1)
LABEL_SHARE = 0.55
LINE_SPACING = 1.15


def _tokens(name: str, font, limit: float) -> list[str]:
    """The name's words; a word too wide for the room is split after its hyphen ("De-" "escalation")."""
    out = []
    for word in name.split():
        if font.getlength(word) > limit and "-" in word.strip("-"):
            head, tail = word.split("-", 1)
            out += [head + "-", tail]
        else:
            out.append(word)
    return out


def fit_label(name: str, width: int, height: int) -> tuple[list[str], int]:
    """The room's name in lines and a font size so that it fits the top of its box; the largest size
    that fits wins (the smallest, if nothing fits)."""
    limit = width - 24
    lines: list[str] = []
    for size in LABEL_SIZES:
        font = ImageFont.load_default(size=size)
        lines = []
        for token in _tokens(name, font, limit):
            joined = lines[-1] + ("" if lines and lines[-1].endswith("-") else " ") + token if lines else token
            if lines and font.getlength(joined) <= limit:
                lines[-1] = joined
            else:
                lines.append(token)
        if max(font.getlength(line) for line in lines) <= limit and len(lines) * size * LINE_SPACING <= height * LABEL_SHARE:
            return lines, size
    return lines, LABEL_SIZES[-1]


def draw(ward: Ward, layout: Layout) -> bytes:
    """The plan as PNG bytes: walls, doorways, the corridors and each room's name (the plan names its
    rooms, as a real drawing does; the pages outline them and the printed map relies on the drawing)."""
    image = Image.new("RGB", (WIDTH, layout.height), "white")
    pen = ImageDraw.Draw(image)
    for n, (_, corridor, _) in enumerate(layout.wings, start=1):
        pen.rectangle((MARGIN, corridor[0], WIDTH - MARGIN, corridor[1]), fill=(238, 238, 238), outline="black",
                      width=3)
        pen.text((WIDTH / 2, sum(corridor) / 2), f"{ward.name}: corridor {n} (invented plan)", fill="black",
                 anchor="mm", font_size=26)
    corridors = [wing[1] for wing in layout.wings]
    names = {room.id: room.name for room in ward.active_rooms}
    for room_id, (left, top, right, bottom) in layout.boxes.items():
        pen.rectangle((left, top, right, bottom), outline="black", width=4)
        door = (left + right) // 2
        y = bottom if any(bottom == c[0] for c in corridors) else top
        pen.line((door - 14, y, door + 14, y), fill="white", width=6)  # a doorway onto the corridor
        lines, size = fit_label(names[room_id], right - left, bottom - top)
        pen.multiline_text(((left + right) / 2, top + 10), "\n".join(lines), fill=(11, 12, 12), anchor="ma",
                           align="center", font_size=size, spacing=round(size * (LINE_SPACING - 1)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_plans(trust: Trust, *, now: datetime) -> None:
    """Plans for Larch and Willow wards, every room placed, every open point pinned."""
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN.value).order_by(User.id))
    wards = db.session.scalars(select(Ward).where(Ward.name.in_(PLANNED_WARDS))).all()
    for ward in wards:
        if ward.site.trust_id != trust.id:
            continue
        rooms = ward.active_rooms
        layout = plan_layout(rooms)
        boxes, height = layout.boxes, layout.height
        plans.upload_plan(draw(ward, layout), ward=ward, by=admin, now=now)
        for room in rooms:
            left, top, right, bottom = boxes[room.id]
            plans.place_room(room, x=left / WIDTH, y=top / height, w=(right - left) / WIDTH,
                             h=(bottom - top) / height, by=admin, now=now)
        in_room: dict[int, int] = {}
        for point in open_points(ward.id):
            left, top, right, bottom = boxes[point.room_id]
            n = in_room[point.room_id] = in_room.get(point.room_id, -1) + 1
            # several points of one room side by side, below the room's name
            x = left + (right - left) * (0.27 if n % 2 == 0 else 0.73)
            y = top + (bottom - top) * 0.78
            plans.pin_point(point, x=x / WIDTH, y=y / height, by=admin, now=now)
    db.session.flush()
