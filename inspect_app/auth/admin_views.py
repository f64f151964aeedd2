"""Administration of user accounts (admin only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.auth import queries, services
from inspect_app.auth.forms import EditUserForm, ResetPasswordForm, UserForm
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.estates.queries import ward_names
from inspect_app.forms_util import choices
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")


def _ward_choices() -> list[tuple[int, str]]:
    return choices((wid, f"{wname} ({sname})") for wid, wname, sname in ward_names())


@bp.get("/")
@requires(Role.ADMIN)
def index():
    users = queries.users_by_name()
    return render_template("admin/users.html", users=users)


@bp.route("/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def create():
    form = UserForm()
    form.wards.choices = _ward_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(email=form.email.data, name=form.name.data, role=form.role.data,
                                        password=form.password.data, by=current_user, now=utcnow(),
                                        ward_ids=form.wards.data, must_change_password=True)
        except services.AccountError as exc:
            refuse(str(exc))
        else:
            flash(f"Account created for {user.name}. They must choose a new password at first sign-in.",
                  "success")
            return redirect(url_for("admin_users.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def edit(user_id: int):
    user = queries.user(user_id) or abort(404)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    form.wards.choices = _ward_choices()
    if request.method == "GET":
        form.wards.data = [w.id for w in services.wards_of(user)]
    reset_form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.update_user(user, name=form.name.data, role=form.role.data, active=form.active.data,
                                 ward_ids=form.wards.data, by=current_user, now=utcnow())
        except services.AccountError as exc:
            refuse(str(exc))
        else:
            flash(f"Saved {user.name}.", "success")
            return redirect(url_for("admin_users.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user, reset_form=reset_form), status


@bp.post("/<int:user_id>/reset-password")
@requires(Role.ADMIN)
def reset_password(user_id: int):
    user = queries.user(user_id) or abort(404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data, by=current_user, now=utcnow(), forced=True)
        except services.AccountError as exc:
            refuse(str(exc))
            return redirect(url_for("admin_users.edit", user_id=user.id)), 303
        flash(f"Password reset for {user.name}; they must choose a new one at next sign-in.", "success")
        return redirect(url_for("admin_users.index"))
    flash(" ".join(e for errs in form.errors.values() for e in errs) or "Check the form.", "error")
    return redirect(url_for("admin_users.edit", user_id=user.id)), 303
