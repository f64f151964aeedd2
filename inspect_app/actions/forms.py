"""Remediation forms. They parse input only; the workflow decides what a move requires.

One :class:`TransitionForm` serves every move: the template shows the fields the transition's
``requires`` names (plus an optional comment), each form prefixed by its target status so several
can sit on one page with unique ids.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from inspect_app.domain.grading import InterimKind, ObservationLevel
from inspect_app.domain.risk import CONSEQUENCE_LABELS, LIKELIHOOD_LABELS
from inspect_app.forms_util import choices

LIKELIHOOD = choices([("", "Choose")] + [(k, f"{k} {v}") for k, v in LIKELIHOOD_LABELS.items()])
CONSEQUENCE = choices([("", "Choose")] + [(k, f"{k} {v}") for k, v in CONSEQUENCE_LABELS.items()])


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class TransitionForm(FlaskForm):
    control_type = SelectField("Type of interim control",
                               choices=choices([("", "Choose")] + [(k.value, k.label) for k in InterimKind]),
                               validators=[Optional()],
                               description="Staff vigilance or general observation alone is not accepted for a "
                                           "High or Extreme point.")
    control_level = SelectField("Observation level (for enhanced observation)",
                                choices=choices([("", "Not observation")] + [(k.value, k.label) for k in ObservationLevel]),
                                validators=[Optional()])
    control = TextAreaField("What exactly is in place", validators=[Optional(), Length(max=2000)],
                            description="E.g. bedroom 4 locked and out of use; door closer removed; "
                                        "within arm's length while in the en-suite.")
    control_by = StringField("Person responsible for the control", validators=[Optional(), Length(max=120)])
    review_date = DateField("Review date", validators=[Optional()])
    reference = StringField("Reference", validators=[Optional(), Length(max=120)],
                            description="Estates job or CAFM number, risk register or capital scheme reference.")
    product = TextAreaField("Product fitted or work done", validators=[Optional(), Length(max=2000)])
    rationale = TextAreaField("Rationale for accepting the risk", validators=[Optional(), Length(max=2000)])
    residual_likelihood = SelectField("Residual likelihood", choices=LIKELIHOOD, coerce=_int_or_none,
                                      validators=[Optional()])
    residual_consequence = SelectField("Residual consequence", choices=CONSEQUENCE, coerce=_int_or_none,
                                       validators=[Optional()])
    photos = MultipleFileField("Photos", description="JPEG or PNG; take them on site.")
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save")

    def values(self) -> dict:
        """The supplied values, keyed as ``workflow.FIELD_NAMES`` expects."""
        grade = (self.residual_likelihood.data, self.residual_consequence.data)
        return {"control": self.control.data, "control_by": self.control_by.data,
                "control_type": self.control_type.data or None, "control_level": self.control_level.data or None,
                "review_date": self.review_date.data, "reference": self.reference.data,
                "product": self.product.data, "rationale": self.rationale.data,
                "residual_grade": grade if all(grade) else None, "comment": self.comment.data}

    def uploads(self) -> list[bytes]:
        return [f.read() for f in (self.photos.data or []) if getattr(f, "filename", "")]


class CommentForm(FlaskForm):
    text = TextAreaField("Comment", validators=[DataRequired(message="Write a comment first."), Length(max=2000)])
    submit = SubmitField("Add comment")


class AcknowledgeForm(FlaskForm):
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Confirm interim controls are in place")


class RegradeForm(FlaskForm):
    likelihood = SelectField("Likelihood", choices=LIKELIHOOD, coerce=_int_or_none,
                             validators=[DataRequired(message="Choose the likelihood.")])
    consequence = SelectField("Consequence", choices=CONSEQUENCE, coerce=_int_or_none,
                              validators=[DataRequired(message="Choose the consequence.")])
    comment = TextAreaField("Why re-grade", validators=[DataRequired(message="Say why."), Length(max=2000)])
    consequence_reason = TextAreaField("Why the consequence is below Catastrophic (a load-bearing point)",
                                       validators=[Optional(), Length(max=1000)])
    submit = SubmitField("Re-grade")


class ApproveForm(FlaskForm):
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Approve acceptance")


class DeclineForm(FlaskForm):
    comment = TextAreaField("Why the proposal is declined", validators=[DataRequired(message="Say why."),
                                                                        Length(max=2000)])
    submit = SubmitField("Decline proposal")


class OwnerForm(FlaskForm):
    owner_id = SelectField("Named owner", coerce=_int_or_none, validators=[Optional()])
    team = StringField("Or team", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Assign")
