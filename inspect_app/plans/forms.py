"""Forms for the plan pages. Positions are typed (or filled in by a tap) as percentages of the
plan's width and height; the services take fractions."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FloatField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

PERCENT = NumberRange(min=0, max=100, message="Give a percentage between 0 and 100.")


def _needed(message: str) -> InputRequired:
    return InputRequired(message=message)


class PlanUploadForm(FlaskForm):
    plan = FileField("Floor plan (PNG, JPEG, WebP or a PDF)", validators=[FileRequired(message="Choose the plan file.")])
    page = IntegerField("PDF page", default=1, validators=[Optional(), NumberRange(min=1, max=50)])


class PlaceRoomForm(FlaskForm):
    room_id = SelectField("Room", coerce=int, validate_choice=True)
    x = FloatField("Left (% of the plan's width)", validators=[_needed("Tap the plan or give the left edge."), PERCENT])
    y = FloatField("Top (% of the plan's height)", validators=[_needed("Tap the plan or give the top edge."), PERCENT])
    w = FloatField("Width (%; empty for a point)", validators=[Optional(), PERCENT])
    h = FloatField("Height (%; empty for a point)", validators=[Optional(), PERCENT])


class PinForm(FlaskForm):
    x = FloatField("Across (% of the plan's width)", validators=[_needed("Tap the plan where the point is."), PERCENT])
    y = FloatField("Down (% of the plan's height)", validators=[_needed("Tap the plan where the point is."), PERCENT])


def fraction(value: float | None) -> float | None:
    return None if value is None else value / 100.0
