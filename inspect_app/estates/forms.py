"""Estate administration forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from inspect_app.domain.grading import Observation
from inspect_app.domain.risk import Tier
from inspect_app.estates.models import PatientGroup
from inspect_app.forms_util import choices

TIER_CHOICES = choices([("", "Area type default")] + [(t.value, t.label) for t in Tier])
GROUP_CHOICES = choices((g.value, g.label) for g in PatientGroup)


OBSERVATION_CHOICES = choices([("", "Not recorded")] + [(o.value, o.label) for o in Observation])


class SiteForm(FlaskForm):
    name = StringField("Site name", validators=[DataRequired(), Length(max=200)])
    code = StringField("Site code", validators=[Optional(), Length(max=20)])
    submit = SubmitField("Add site")


class WardForm(FlaskForm):
    site_id = SelectField("Site", coerce=int, validators=[DataRequired()])
    name = StringField("Ward name", validators=[DataRequired(), Length(max=200)])
    patient_group = SelectField("Patient group", choices=GROUP_CHOICES, validators=[DataRequired()])
    bed_count = IntegerField("Beds", validators=[NumberRange(min=0, max=200)], default=0)
    submit = SubmitField("Add ward")


class EditWardForm(FlaskForm):
    name = StringField("Ward name", validators=[DataRequired(), Length(max=200)])
    patient_group = SelectField("Patient group", choices=GROUP_CHOICES, validators=[DataRequired()])
    bed_count = IntegerField("Beds", validators=[NumberRange(min=0, max=200)], default=0)
    active = BooleanField("Ward active")
    submit = SubmitField("Save ward")


class RoomForm(FlaskForm):
    name = StringField("Room name", validators=[DataRequired(), Length(max=120)])
    area_type_id = SelectField("Area type", coerce=int, validators=[DataRequired()])
    tier = SelectField("CQC tier", choices=TIER_CHOICES, validators=[Optional()])
    observation = SelectField("How the room is observed", choices=OBSERVATION_CHOICES, validators=[Optional()],
                              description="Used in grading: the trust's policy may raise the minimum band of a "
                                          "load-bearing point in a room observed only intermittently or not at all.")
    floor = StringField("Floor", validators=[Optional(), Length(max=40)])
    active = BooleanField("In use", default=True)
    submit = SubmitField("Save room")


class BulkRoomsForm(FlaskForm):
    prefix = StringField("Room name", validators=[DataRequired(), Length(max=100)],
                         description="For example Bedroom: rooms are numbered after it.")
    first = IntegerField("From number", validators=[DataRequired(), NumberRange(min=0, max=9999)], default=1)
    last = IntegerField("To number", validators=[DataRequired(), NumberRange(min=0, max=9999)], default=20)
    area_type_id = SelectField("Area type", coerce=int, validators=[DataRequired()])
    tier = SelectField("CQC tier", choices=TIER_CHOICES, validators=[Optional()])
    floor = StringField("Floor", validators=[Optional(), Length(max=40)])
    submit = SubmitField("Create rooms")
