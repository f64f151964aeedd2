"""Forms for launching a trust-wide check and answering a ward's task (input checks only)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, SelectMultipleField, StringField, SubmitField, TextAreaField, widgets
from wtforms.validators import InputRequired, Length, Optional


class LaunchForm(FlaskForm):
    title = StringField("What every ward checks", validators=[InputRequired("Give the check a title."),
                                                              Length(max=200)],
                        description='For example "Every wardrobe door of this make".')
    category = StringField("Fixture category", validators=[Optional(), Length(max=80)],
                           description="Matches points of this category and registered products of this kind.")
    product = StringField("Product or make", validators=[Optional(), Length(max=120)],
                          description="Words in the product's name or the point's description.")
    installed_before = DateField("Installed before", validators=[Optional()],
                                 description="Registered products only (points have no installation date).")
    due_on = DateField("Deadline for every ward", validators=[InputRequired("Set a deadline.")])
    instructions = TextAreaField("What to do", validators=[Optional(), Length(max=2000)])
    incident_id = HiddenField()
    fixture_check_id = HiddenField()
    submit = SubmitField("Launch the check on every ward")


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AnswerForm(FlaskForm):
    finding_ids = CheckboxesField("Points checked or recorded", coerce=int, validate_choice=False)
    photos = MultipleFileField("Photos")
    note = TextAreaField("What you found", validators=[InputRequired("Say what you found."), Length(max=2000)])
    submit = SubmitField("Send the ward's answer")
