"""Forms of the alerts register, the draft item editor and product checks (input checks only)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from inspect_app.alerts.services import CHECK_NOTES_LIMIT
from inspect_app.domain.alerts import CheckResult, FixtureKind, ResponseStatus
from inspect_app.estates.models import PatientGroup
from inspect_app.forms_util import choices


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes: easier to tap on a tablet than a multi-select."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AlertForm(FlaskForm):
    reference = StringField("Reference", validators=[Optional(), Length(max=60)],
                            description="For example EFA/2019/003. Leave empty if you cannot confirm the "
                                        "number from CAS: the alert is then cited by its title.")
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    issuing_body = StringField("Issuing body", validators=[DataRequired(), Length(max=200)])
    issued_on = DateField("Issued on", validators=[Optional()])
    action_underway_by = DateField("Action underway by", validators=[Optional()])
    action_complete_by = DateField("Action complete by", validators=[Optional()])
    restricted = BooleanField("Restricted alert (CAS only: do not reproduce its text)", default=True)
    required_actions = TextAreaField("Required actions, in the trust's own words",
                                     validators=[Optional(), Length(max=4000)])
    patient_groups = CheckboxesField("Patient groups affected (none ticked: all)",
                                     choices=choices((g.value, g.label) for g in PatientGroup))
    area_type_codes = CheckboxesField("Area types affected (none ticked: all)")
    submit = SubmitField("Save alert")


class ResponseForm(FlaskForm):
    status = SelectField("Trust response", choices=choices((s.value, s.label) for s in ResponseStatus))
    note = TextAreaField("Note", validators=[Optional(), Length(max=4000)],
                         description="What was done, or why the alert does not apply.")
    submit = SubmitField("Record response")


class DraftForm(FlaskForm):
    template_id = SelectField("Start from", coerce=int)
    version = StringField("New version number", validators=[DataRequired(), Length(max=40)])
    submit = SubmitField("Create draft")


class ItemForm(FlaskForm):
    area_type_id = SelectField("Area type", coerce=int)
    code = StringField("Item code", validators=[DataRequired(), Length(max=20)],
                       description="Capital letters, digits and hyphens, e.g. BED-21. Codes never change.")
    category = StringField("Fixture category", validators=[DataRequired(), Length(max=80)])
    prompt = TextAreaField("Question", validators=[DataRequired(), Length(max=2000)])
    guidance = TextAreaField("Guidance", validators=[Optional(), Length(max=2000)])
    kind = SelectField("Kind of item", choices=choices([("ligature", "Ligature item (compliant / ligature point / N/A)"),
                                                        ("check", "Check item (pass / fail / N/A)")]),
                       default="ligature")
    default_priority = SelectField("Priority of the action a fail raises (check items only)",
                                   choices=choices([("", "Not a check item"), ("low", "Low"), ("moderate", "Moderate"),
                                                    ("high", "High"), ("extreme", "Extreme")]), default="")
    default_tier = SelectField("Tier the item is written for", default="",
                               choices=choices([("", "The area type's tier"), ("T1", "Tier 1"), ("T2", "Tier 2"),
                                                ("T3", "Tier 3"), ("NP", "No patient access")]))
    cites = BooleanField("This item implements the alert", default=True)
    section = StringField("Alert section (optional)", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Save item")


class FixtureForm(FlaskForm):
    room_id = SelectField("Room", coerce=int)
    kind = SelectField("Product", choices=choices((k.value, k.label) for k in FixtureKind))
    label = StringField("Description", validators=[DataRequired(), Length(max=120)],
                        description="How staff find it, e.g. bed-bay curtain track by the window.")
    interval_days = IntegerField("Check every (days)", validators=[InputRequired(), NumberRange(min=1, max=730)],
                                 default=30)
    alert_id = SelectField("Alert asking for the check", coerce=int)
    submit = SubmitField("Add fixture")


class CheckForm(FlaskForm):
    result = RadioField("Result", choices=choices((r.value, r.label) for r in CheckResult),
                        validators=[InputRequired("Choose pass or fail.")])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=CHECK_NOTES_LIMIT)],
                          description="Required when the check fails: say what was wrong.")
    submit = SubmitField("Record check")
