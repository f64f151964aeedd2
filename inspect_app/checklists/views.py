"""Checklist library screens: list, view, import, export, new version, publish."""
from __future__ import annotations

import json
from itertools import groupby

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from inspect_app.checklists import library, queries
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.security import jsonsafe
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("checklists", __name__, url_prefix="/admin/checklists")


class ImportForm(FlaskForm):
    file = FileField("Checklist library file (JSON)", validators=[FileRequired("Choose a JSON file.")])
    submit = SubmitField("Import as draft")


class NewVersionForm(FlaskForm):
    version = StringField("New version number", validators=[DataRequired(), Length(max=40)])
    submit = SubmitField("Start new draft version")


class PublishForm(FlaskForm):
    confirm = BooleanField("I have read these changes and want new inspections to use this version",
                           validators=[DataRequired(message="Tick the box to confirm you have read the changes.")])
    submit = SubmitField("Publish this version")


@bp.get("/")
@requires(Role.ADMIN, Role.SAFETY_LEAD)
def index():
    counts = queries.item_counts()
    templates = queries.templates_by_name()
    return render_template("checklists/index.html", templates=templates, counts=counts, form=ImportForm())


@bp.get("/<int:template_id>")
@requires(Role.ADMIN, Role.SAFETY_LEAD)
def detail(template_id: int):
    template = queries.get_template(template_id) or abort(404)
    items = sorted(template.items, key=lambda i: (i.area_type.name, i.order))
    groups = [(area, list(group)) for area, group in groupby(items, key=lambda i: i.area_type)]
    preview = library.publish_preview(template) if template.status == "draft" else None
    return render_template("checklists/detail.html", template=template, groups=groups, preview=preview,
                           publish_url=url_for("checklists.publish", template_id=template.id),
                           new_version=NewVersionForm())


@bp.post("/import")
@requires(Role.ADMIN)
def import_file():
    form = ImportForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs) or "Choose a JSON file.", "error")
        return redirect(url_for("checklists.index")), 303
    raw = form.file.data.read(2 * 1024 * 1024 + 1)
    try:
        if len(raw) > 2 * 1024 * 1024:
            raise library.LibraryError("The file is larger than 2 MB.")
        data = jsonsafe.loads(raw, max_depth=jsonsafe.LIBRARY_DEPTH)
        template = library.import_library(data, by=current_user, now=utcnow())
    except (UnicodeDecodeError, json.JSONDecodeError):
        refuse("That file is not valid JSON text.")
        return redirect(url_for("checklists.index")), 303
    except library.LibraryError as exc:
        refuse(f"Not imported: {exc}")
        return redirect(url_for("checklists.index")), 303
    flash(f"Imported {template.title} as a draft.", "success")
    return redirect(url_for("checklists.detail", template_id=template.id))


@bp.get("/<int:template_id>/export.json")
@requires(Role.ADMIN, Role.SAFETY_LEAD)
def export(template_id: int):
    template = queries.get_template(template_id) or abort(404)
    body = json.dumps(library.export_template(template), indent=1, ensure_ascii=False)
    safe = "".join(c if c.isalnum() else "-" for c in f"{template.name}-v{template.version}").strip("-")
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.json"'})


@bp.post("/<int:template_id>/publish")
@requires(Role.ADMIN)
def publish(template_id: int):
    template = queries.get_template(template_id) or abort(404)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("checklists.detail", template_id=template.id)), 303
    try:
        library.publish_template(template, by=current_user, now=utcnow())
    except library.LibraryError as exc:
        refuse(str(exc))
        return redirect(url_for("checklists.detail", template_id=template.id)), 303
    flash(f"Published {template.title}. New inspections use it; earlier inspections keep their version.",
          "success")
    return redirect(url_for("checklists.detail", template_id=template.id))


@bp.post("/<int:template_id>/new-version")
@requires(Role.ADMIN)
def new_version(template_id: int):
    template = queries.get_template(template_id) or abort(404)
    form = NewVersionForm()
    if not form.validate_on_submit():
        flash("Enter a version number.", "error")
        return redirect(url_for("checklists.detail", template_id=template.id)), 303
    try:
        draft = library.new_draft_from(template, version=form.version.data, by=current_user, now=utcnow())
    except library.LibraryError as exc:
        refuse(str(exc))
        return redirect(url_for("checklists.detail", template_id=template.id)), 303
    flash(f"Draft {draft.title} created.", "success")
    return redirect(url_for("checklists.detail", template_id=draft.id))
