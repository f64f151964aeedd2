"""Forms for the plan pages. Positions are typed (or filled in by a tap) as percentages of the
plan's width and height; the services take fractions."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FloatField, HiddenField, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

PERCENT = NumberRange(min=0, max=100, message="Give a percentage between 0 and 100.")


def _needed(message: str) -> InputRequired:
    return InputRequired(message=message)


class PlanUploadForm(FlaskForm):
    plan = FileField("Floor plan (PNG, JPEG, WebP or a PDF)", validators=[FileRequired(message="Choose the plan file.")])
    page = IntegerField("PDF page", default=1, validators=[Optional(), NumberRange(min=1, max=50)])


class PlaceRoomForm(FlaskForm):
    room_id = SelectField("Room", coerce=int, validate_choice=True)
    #: The room whose saved place the form was filled with: a room chosen instead without the
    #: script (which fills the form on a change) is shown, not given the other room's place.
    shown = HiddenField()
    x = FloatField("Left (% of the plan's width)", validators=[_needed("Tap the plan or give the left edge."), PERCENT])
    y = FloatField("Top (% of the plan's height)", validators=[_needed("Tap the plan or give the top edge."), PERCENT])
    w = FloatField("Width (%; empty for a point)", validators=[Optional(), PERCENT])
    h = FloatField("Height (%; empty for a point)", validators=[Optional(), PERCENT])


class PinForm(FlaskForm):
    x = FloatField("Across (% of the plan's width)", validators=[_needed("Tap the plan where the point is."), PERCENT])
    y = FloatField("Down (% of the plan's height)", validators=[_needed("Tap the plan where the point is."), PERCENT])


def fraction(value: float | None) -> float | None:
    return None if value is None else value / 100.0


def percent(value: float | None) -> float | None:
    """A stored fraction as the form shows it (two decimals, as a tap gives)."""
    return None if value is None else round(value * 100.0, 2)


def saved_place(room) -> dict[str, float | None]:
    """The room's saved place as the form's percentages (all None when it is not placed)."""
    return {"x": percent(room.plan_x), "y": percent(room.plan_y), "w": percent(room.plan_w), "h": percent(room.plan_h)}


def place_status(room) -> str:
    """Where the room is on the plan, in words, for the form that edits it."""
    p = saved_place(room)
    if p["x"] is None:
        return f"{room.name} is not placed on the plan yet."
    where = f"left {p['x']:g}%, top {p['y']:g}%"
    shape = f"{where}, {p['w']:g}% wide and {p['h']:g}% high" if p["w"] is not None else f"a point at {where}"
    return f"{room.name} is placed: {shape}. The form starts from its saved place; saving replaces it."


def room_choice(room) -> SelectChoice:
    """An option of the room select carrying the room's saved place (and its words), for plan.js to
    fill the form with when another room is chosen."""
    data = {f"data-{k}": "" if v is None else f"{v:g}" for k, v in saved_place(room).items()}
    return SelectChoice(room.id, room.name, render_kw={**data, "data-status": place_status(room)})


def fill_place(form: PlaceRoomForm, room) -> None:
    """Start the form from ``room`` and its saved place (blank when it is not placed yet)."""
    form.room_id.data = room.id
    form.shown.data = str(room.id)
    for name, value in saved_place(room).items():
        form[name].data = value
        form[name].raw_data = None
