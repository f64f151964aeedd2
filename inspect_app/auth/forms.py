"""Sign-in, password and user administration forms (input validation only)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from inspect_app.domain.workflow import Role
from inspect_app.forms_util import choices

ROLE_CHOICES = choices((r.value, r.label) for r in Role)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password."),
                                                     Length(max=256)])
    remember = BooleanField("Keep me signed in on this device (not on a shared device)", default=False)
    submit = SubmitField("Sign in")


class SignOutEverywhereForm(FlaskForm):
    """Ends every session of the account on every device; this one stays signed in."""

    submit = SubmitField("Sign out everywhere else")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=12, max=256,
                        message="Use at least 12 characters.")])
    confirm = PasswordField("Repeat the new password", validators=[
        DataRequired(), EqualTo("new", message="The two new passwords differ.")])
    submit = SubmitField("Change password")


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254),
                                          Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter a valid email address.")])
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    wards = SelectMultipleField("Wards (managed, or worked on by ward staff)", coerce=int, validate_choice=True)
    password = PasswordField("Temporary password", validators=[DataRequired(), Length(min=12, max=256)])
    submit = SubmitField("Create user")


class EditUserForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    wards = SelectMultipleField("Wards (managed, or worked on by ward staff)", coerce=int, validate_choice=True)
    active = BooleanField("Account active")
    submit = SubmitField("Save changes")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New temporary password", validators=[DataRequired(), Length(min=12, max=256)])
    submit = SubmitField("Reset password")
