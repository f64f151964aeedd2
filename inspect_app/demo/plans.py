"""Invented floor plans for two demo wards, drawn with Pillow at seed time (no real building):
a corridor with the rooms in two rows along it. The rooms are placed where they are drawn, and
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

WIDTH, HEIGHT = 1600, 1000
TOP, CORRIDOR, BOTTOM = (60, 430), (430, 570), (570, 940)  # y ranges of the two rows and the corridor
MARGIN = 40
PLANNED_WARDS = ("Larch Ward", "Willow Ward")


def _layout(rooms: list[Room]) -> dict[int, tuple[int, int, int, int]]:
    """Pixel boxes (left, top, right, bottom): half the rooms above the corridor, half below."""
    half = (len(rooms) + 1) // 2
    boxes = {}
    for row, (y0, y1), chunk in ((0, TOP, rooms[:half]), (1, BOTTOM, rooms[half:])):
        width = (WIDTH - 2 * MARGIN) / max(len(chunk), 1)
        for i, room in enumerate(chunk):
            boxes[room.id] = (int(MARGIN + i * width), y0, int(MARGIN + (i + 1) * width), y1)
    return boxes


def draw(ward: Ward, boxes: dict[int, tuple[int, int, int, int]]) -> bytes:
    """The plan as PNG bytes: walls, the corridor and each room's short name."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    pen.rectangle((MARGIN, CORRIDOR[0], WIDTH - MARGIN, CORRIDOR[1]), fill=(238, 238, 238), outline="black", width=3)
    pen.text((WIDTH / 2, (CORRIDOR[0] + CORRIDOR[1]) / 2), f"{ward.name}: main corridor (invented plan)",
             fill="black", anchor="mm", font_size=28)
    names = {room.id: room.name for room in ward.active_rooms}
    for room_id, (left, top, right, bottom) in boxes.items():
        pen.rectangle((left, top, right, bottom), outline="black", width=4)
        door = (left + right) // 2
        y = bottom if top < CORRIDOR[0] else top
        pen.line((door - 14, y, door + 14, y), fill="white", width=6)  # a doorway onto the corridor
        label = names[room_id].replace("Bedroom ", "Bed ").replace(" en-suite", " ens.")
        pen.text(((left + right) / 2, (top + bottom) / 2), _wrap(label), fill=(60, 60, 60), anchor="mm",
                 align="center", font_size=18)
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
            # several points of one room go one above another, below the room's label
            x, y = (left + right) / 2, top + (bottom - top) * (0.65 + 0.15 * (n % 3))
            plans.pin_point(point, x=x / WIDTH, y=y / HEIGHT, by=admin, now=now)
    db.session.flush()
