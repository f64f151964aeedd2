"""The audit trail filter (a GET form: no CSRF, nothing changes)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, Regexp, ValidationError

_ID = [Optional(), NumberRange(min=1, max=2**31 - 1, message="Enter a number from 1 upwards.")]


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only search; the filter must work from a bookmarked link

    ward = SelectField("Ward", coerce=int, default=0, validate_choice=True)
    user = SelectField("Who", coerce=int, default=0, validate_choice=True)
    verb = StringField("What (e.g. finding, action.transition)", validators=[
        Optional(), Length(max=60), Regexp(r"^[a-z_.]+$", message="Use lower-case letters, dots and underscores.")])
    inspection = IntegerField("Inspection number", validators=_ID)
    action = IntegerField("Action number", validators=_ID)
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To (inclusive)", validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")
