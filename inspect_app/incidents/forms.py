"""Forms for recording an incident and resolving its "find the point" task (input checks only)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateTimeLocalField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from inspect_app.domain.incidents import IncidentType, Outcome
from inspect_app.forms_util import choices


class IncidentForm(FlaskForm):
    # Selects carry no "required" flag (HTML forbids it on a select without an empty first option);
    # the choice is checked against the list on the server.
    room_id = SelectField("Room", coerce=int)
    occurred_at = DateTimeLocalField("Date and time of the incident", format="%Y-%m-%dT%H:%M",
                                     validators=[InputRequired("Enter the date and time.")])
    incident_type = SelectField("Type", choices=choices((t.value, t.label) for t in IncidentType))
    outcome = SelectField("Outcome (physical harm, as graded in LFPSE)",
                          choices=choices((o.value, o.label) for o in Outcome))
    reference = StringField("Incident system reference (Datix, LFPSE)", validators=[Optional(), Length(max=60)],
                            description="Never a patient's name or NHS number.")
    point = SelectField("Ligature point, if known", coerce=int,
                        description="Leave as 'not known' and the next inspection of the room gets a "
                                    "'find the point' task.")
    fixture_category = StringField("What was used as an anchor, if no point is recorded",
                                   validators=[Optional(), Length(max=80)])
    summary = TextAreaField("What happened (no patient identifiers)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Record incident")


class PointForm(FlaskForm):
    point = SelectField("The point where it happened", coerce=int, validate_choice=False)
    note = TextAreaField("Or: why no point was found", validators=[Optional(), Length(max=1000)])
    next = HiddenField()
    submit = SubmitField("Save")


class UploadForm(FlaskForm):
    file = FileField("CSV export from the incident system (UTF-8)")
    submit = SubmitField("Preview")
