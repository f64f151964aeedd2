"""Walk-through forms: start, answer, room access, carry-forward, sign-off, correction.

They parse input only; the services decide what is allowed. Field names are a contract with the
offline queue (static/js), which replays the same forms: keep them as they are.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from inspect_app.domain.checklist import Answer, CarryForwardOutcome, InspectionType
from inspect_app.forms_util import choices

TEAM_ROWS = 4
ATTESTATION = ("I led this assessment. Every room listed was inspected or is recorded as not accessible "
               "with a reason, and the ligature points recorded are a true and complete account of what "
               "the team found.")

CLINICAL_ATTESTATION = ("I have reviewed this assessment for the ward as its clinical signatory: the rooms, the "
                        "ligature points and their grades, and the rooms flagged for a second look.")


class TeamMemberForm(Form):
    name = StringField("Name", validators=[Optional(), Length(max=120)])
    role = StringField("Role", validators=[Optional(), Length(max=120)],
                       description="For example estates officer, ward clinician")


class StartForm(FlaskForm):
    inspection_type = RadioField("Type of inspection", choices=choices((t.value, t.label) for t in InspectionType),
                                 validators=[InputRequired(message="Choose the type of inspection.")])
    team = FieldList(FormField(TeamMemberForm), min_entries=TEAM_ROWS, max_entries=TEAM_ROWS)

    def members(self) -> list[dict[str, str]]:
        return [{"name": row.form.name.data or "", "role": row.form.role.data or ""} for row in self.team]


class AnswerForm(FlaskForm):
    inspection_id = IntegerField(validators=[InputRequired()])
    room_id = IntegerField(validators=[InputRequired()])
    item_id = IntegerField(validators=[InputRequired()])
    value = StringField(validators=[AnyOf([a.value for a in Answer], message="Choose one of the answers.")])
    # With "Not applicable": the reason (domain.checklist.NaReason) and words for "other".
    na_reason = StringField(validators=[Optional(), Length(max=30)])
    na_detail = StringField(validators=[Optional(), Length(max=2000)])
    # With a check item's "Fail": what failed.
    comment = TextAreaField(validators=[Optional(), Length(max=2000)])


class RemainingForm(FlaskForm):
    """"Mark remaining items compliant": ``count`` is how many the person was shown."""

    inspection_id = IntegerField(validators=[InputRequired()])
    room_id = IntegerField(validators=[InputRequired()])
    count = IntegerField(validators=[InputRequired(message="Say how many items to mark.")])


class AccessForm(FlaskForm):
    inspection_id = IntegerField(validators=[InputRequired()])
    room_id = IntegerField(validators=[InputRequired()])
    not_accessible = StringField(validators=[AnyOf(["1", "0"])])
    reason = TextAreaField("Why could the room not be inspected?", validators=[Optional(), Length(max=1000)],
                           description="For example: patient asleep, door locked and no key, room sealed for works.")


class CarryForwardForm(FlaskForm):
    inspection_id = IntegerField(validators=[InputRequired()])
    finding_id = IntegerField(validators=[InputRequired()])
    outcome = RadioField("What did you find?", choices=choices((o.value, o.label) for o in CarryForwardOutcome),
                         validators=[InputRequired(message="Choose still present, fixed or fixed but defective.")])
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])


class SignOffForm(FlaskForm):
    confirm = BooleanField("I confirm the statement above", validators=[
        DataRequired(message="Tick the box to confirm the statement.")])
    # The signature is the signed-in account: no name is typed. Re-entering the password shows the
    # account's owner is at the device (auth.services.reauthenticate).
    # With single sign-on a fresh sign-in at the trust's provider may replace it (checked by the service).
    password = PasswordField("Your password", validators=[Optional(), Length(max=200)])
    capacity = HiddenField()
    acknowledge = SelectMultipleField("I have looked again at", choices=[], validate_choice=False)


class RoomPhotoForm(FlaskForm):
    photo = FileField("Photo of the room", validators=[FileRequired(message="Choose a photo to upload.")],
                      description="A photo of the room as you found it, so the record shows it was seen.")
    photo_uuid = StringField(validators=[Optional(), Length(max=36)])


class CorrectionForm(FlaskForm):
    reason = TextAreaField("Reason for the correction", validators=[
        DataRequired(message="Give the reason for the correction."), Length(max=2000)],
        description="Kept with the new version; the signed original stays as it was.")


class DiscreetForm(FlaskForm):
    next = HiddenField()
