"""Ligature point forms: record, edit, re-grade. Input parsing only; the services decide.

Field names are a contract with the offline queue, which replays these forms: keep them.
The grade is one field, ``grade = "LxC"`` (likelihood x consequence), so that a single tap on
the 5x5 grid picks both.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp

from inspect_app.domain.grading import LoadBearing
from inspect_app.domain.risk import MITIGATIONS
from inspect_app.forms_util import choices

GRADES = [f"{likelihood}x{consequence}" for likelihood in range(1, 6) for consequence in range(1, 6)]
LOAD_BEARING = choices([(lb.value, lb.label) for lb in LoadBearing])
UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class _Details(FlaskForm):
    category = SelectField("Fixture category", validators=[InputRequired(message="Choose the fixture category.")])
    description = TextAreaField("What is the ligature point?", validators=[Optional(), Length(max=2000)],
                                description="For example: overhead door closer arm, exposed at 2.1 m.")
    location = StringField("Exact location in the room", validators=[Optional(), Length(max=500)],
                           description="For example: top of the en-suite door, hinge side.")
    existing_controls = TextAreaField("Existing controls", validators=[Optional(), Length(max=2000)],
                                      description="What reduces the risk today, e.g. door kept locked, observation.")
    mitigation = RadioField("Recommended mitigation", choices=choices(MITIGATIONS.items()),
                            validators=[Optional()])
    recommended_action = TextAreaField("Recommended action", validators=[Optional(), Length(max=2000)],
                                       description="What estates should do, e.g. replace with a concealed closer.")
    low_level = BooleanField("Low-level point (below knee height)",
                             description="Height never lowers the grade; it is recorded for the report.")

    load_bearing = RadioField("Can this point bear a ligature?", choices=LOAD_BEARING,
                              validators=[Optional()])
    load_bearing_reason = TextAreaField("Why it cannot bear a ligature", validators=[Optional(), Length(max=1000)],
                                        description="Needed when it cannot, e.g. collapses under 2 kg (tested), "
                                                    "no gap a cord could pass through.")

    def details(self) -> dict:
        return {"category": self.category.data, "description": self.description.data or "",
                "location": self.location.data or "", "existing_controls": self.existing_controls.data or "",
                "mitigation": self.mitigation.data or None, "recommended_action": self.recommended_action.data or "",
                "low_level": bool(self.low_level.data), "load_bearing": self.load_bearing.data or None,
                "load_bearing_reason": self.load_bearing_reason.data or None}


class FindingForm(_Details):
    """``finding.create``: a new point in a room, optionally answering a checklist item."""

    load_bearing = RadioField("Can this point bear a ligature?", choices=LOAD_BEARING,
                              validators=[InputRequired(message="Say whether the point can bear a ligature.")])

    inspection_id = IntegerField(validators=[InputRequired()])
    room_id = IntegerField(validators=[InputRequired()])
    item_id = IntegerField(validators=[Optional()])
    client_id = HiddenField(validators=[Optional(), Regexp(UUID_RE, message="The device id is not a UUID.")])
    grade = StringField("Risk grade", validators=[Optional(), AnyOf(GRADES, message="Pick a cell on the grid.")])
    consequence_reason = TextAreaField("Why the consequence is below Catastrophic",
                                       validators=[Optional(), Length(max=1000)])
    photos = MultipleFileField("Photos", description="Take a photo of the point; you can add more later.")


class FindingEditForm(_Details):
    """``finding.update``: change the description fields of an existing point."""

    finding_id = IntegerField(validators=[InputRequired()])
    consequence_reason = TextAreaField("Why the consequence is below Catastrophic (needed if you mark it load-bearing)",
                                       validators=[Optional(), Length(max=1000)])


class GradeForm(FlaskForm):
    """``finding.grade``: add a grade record (earlier grades are kept)."""

    finding_id = IntegerField(validators=[InputRequired()])
    grade = StringField("Risk grade", validators=[InputRequired(message="Pick a cell on the grid."),
                                                  AnyOf(GRADES, message="Pick a cell on the grid.")])
    comment = TextAreaField("Why the grade changed (optional)", validators=[Optional(), Length(max=2000)])
    consequence_reason = TextAreaField("Why the consequence is below Catastrophic",
                                       validators=[Optional(), Length(max=1000)])


class WithdrawForm(FlaskForm):
    """``finding.withdraw``: the point was recorded in error (the service decides who may)."""

    finding_id = IntegerField(validators=[InputRequired()])
    reason = TextAreaField("Why was it recorded in error?", validators=[Optional(), Length(max=1000)],
                           description="For example: recorded in the wrong room; the same point as LP-00012.")
