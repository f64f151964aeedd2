"""Invented floor plans for two demo wards, drawn with Pillow at seed time (no real building):
two wings, each a corridor with a row of rooms on either side. The rooms are placed where they are drawn, and
the wards' open points are pinned inside their rooms, through the same services as the pages.
"""
from __future__ import annotations

import io
from datetime import datetime

from PIL import Image, ImageDraw
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Room, Trust, Ward
from inspect_app.extensions import db
from inspect_app.plans import services as plans
from inspect_app.plans.mapdata import open_points

WIDTH, HEIGHT = 1600, 1100
MARGIN = 40
#: Two wings, each a row of rooms above a corridor and a row below it: (top row, corridor, bottom row) y ranges.
WINGS = (((40, 230), (230, 300), (300, 490)), ((590, 780), (780, 850), (850, 1040)))
PLANNED_WARDS = ("Larch Ward", "Willow Ward")


def _layout(rooms: list[Room]) -> dict[int, tuple[int, int, int, int]]:
    """Pixel boxes (left, top, right, bottom): the rooms in walk order along four rows."""
    rows = [row for wing in WINGS for row in (wing[0], wing[2])]
    per_row = -(-len(rooms) // len(rows))  # ceiling division
    boxes = {}
    for r, (y0, y1) in enumerate(rows):
        chunk = rooms[r * per_row:(r + 1) * per_row]
        width = (WIDTH - 2 * MARGIN) / max(per_row, 1)
        for i, room in enumerate(chunk):
            boxes[room.id] = (int(MARGIN + i * width), y0, int(MARGIN + (i + 1) * width), y1)
    return boxes


def draw(ward: Ward, boxes: dict[int, tuple[int, int, int, int]]) -> bytes:
    """The plan as PNG bytes: walls, the corridors and each room's short name."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    for n, (_, corridor, _) in enumerate(WINGS, start=1):
        pen.rectangle((MARGIN, corridor[0], WIDTH - MARGIN, corridor[1]), fill=(238, 238, 238), outline="black",
                      width=3)
        pen.text((WIDTH / 2, sum(corridor) / 2), f"{ward.name}: corridor {n} (invented plan)", fill="black",
                 anchor="mm", font_size=26)
    corridors = [wing[1] for wing in WINGS]
    names = {room.id: room.name for room in ward.active_rooms}
    for room_id, (left, top, right, bottom) in boxes.items():
        pen.rectangle((left, top, right, bottom), outline="black", width=4)
        door = (left + right) // 2
        y = bottom if any(bottom == c[0] for c in corridors) else top
        pen.line((door - 14, y, door + 14, y), fill="white", width=6)  # a doorway onto the corridor
        label = names[room_id].replace("Bedroom ", "Bed ").replace(" en-suite", " ens.")
        pen.text(((left + right) / 2, (top + bottom) / 2), _wrap(label), fill=(60, 60, 60), anchor="mm",
                 align="center", font_size=20)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _wrap(label: str) -> str:
    return "\n".join(label.split(" ", 1)) if len(label) > 8 else label


def seed_plans(trust: Trust, *, now: datetime) -> None:
    """Plans for Larch and Willow wards, every room placed, every open point pinned."""
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN.value).order_by(User.id))
    wards = db.session.scalars(select(Ward).where(Ward.name.in_(PLANNED_WARDS))).all()
    for ward in wards:
        if ward.site.trust_id != trust.id:
            continue
        rooms = ward.active_rooms
        boxes = _layout(rooms)
        plans.upload_plan(draw(ward, boxes), ward=ward, by=admin, now=now)
        for room in rooms:
            left, top, right, bottom = boxes[room.id]
            plans.place_room(room, x=left / WIDTH, y=top / HEIGHT, w=(right - left) / WIDTH,
                             h=(bottom - top) / HEIGHT, by=admin, now=now)
        in_room: dict[int, int] = {}
        for point in open_points(ward.id):
            left, top, right, bottom = boxes[point.room_id]
            n = in_room[point.room_id] = in_room.get(point.room_id, -1) + 1
            # several points of one room go corner to corner, clear of each other and of the label
            x = left + (right - left) * (0.3 if n % 2 == 0 else 0.7)
            y = top + (bottom - top) * (0.35 if n % 2 == 0 else 0.8)
            plans.pin_point(point, x=x / WIDTH, y=y / HEIGHT, by=admin, now=now)
    db.session.flush()
