"""Importing incidents from a CSV export: upload, choose the columns, preview, import.

The file's text travels with the preview form (a hidden field), so the import re-reads and
re-checks exactly what was previewed, with no server-side temporary file; the import is one
transaction, refused while any row is bad.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.clock import utcnow
from inspect_app.domain.incidents import IncidentType, Outcome
from inspect_app.incidents import importing, services
from inspect_app.incidents.forms import UploadForm
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("incident_import", __name__, url_prefix="/incidents/import")


@bp.app_template_global()
def type_label(value: str) -> str:
    return IncidentType(value).label


@bp.app_template_global()
def outcome_label(value: str) -> str:
    return Outcome(value).label


@bp.get("/")
@requires(*services.IMPORTERS)
def start():
    return render_template("incidents/import.html", form=UploadForm(), preview=None, csv_text=None,
                           fields=importing.FIELDS, labels=importing.FIELD_LABELS, required=importing.REQUIRED)


def _data(form: UploadForm) -> bytes:
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        return upload.read(importing.MAX_BYTES + 1)
    return (request.form.get("csv_text") or "").encode("utf-8")


def _mapping() -> dict[str, str] | None:
    chosen = {name: request.form.get(f"map-{name}", "") for name in importing.FIELDS}
    return chosen if any(chosen.values()) and request.form.get("step") != "upload" else None


@bp.post("/")
@requires(*services.IMPORTERS)
def preview():
    form = UploadForm()
    if not form.validate_on_submit():
        flash("The form has expired: upload the file again.", "error")
        return redirect(url_for("incident_import.start")), 303
    data = _data(form)
    if not data:
        flash("Choose the CSV file to import.", "error")
        return redirect(url_for("incident_import.start")), 303
    try:
        if request.form.get("step") == "import":
            return _import(form, data)
        checked = importing.preview(data, _mapping(), by=current_user, now=utcnow())
    except importing.ImportRefused as exc:
        return _refused(form, data, str(exc))
    return render_template("incidents/import.html", form=form, preview=checked, csv_text=data.decode("utf-8-sig"),
                           fields=importing.FIELDS, labels=importing.FIELD_LABELS, required=importing.REQUIRED)


def _refused(form: UploadForm, data: bytes, message: str):
    try:
        text = data.decode("utf-8-sig")
        headers = importing.read(text)[0]
    except (UnicodeDecodeError, importing.ImportRefused):
        text, headers = None, []
    return render_template("incidents/import.html", form=form, preview=None, csv_text=text, error=message,
                           headers=headers, mapping=_mapping() or importing.guess_mapping(headers),
                           fields=importing.FIELDS, labels=importing.FIELD_LABELS,
                           required=importing.REQUIRED), 422


def _import(form: UploadForm, data: bytes):
    try:
        made = importing.import_rows(data, _mapping(), by=current_user, now=utcnow())
    except (importing.ImportRefused, services.IncidentError) as exc:
        refuse()
        return _refused(form, data, str(exc))
    flash(f"{len(made)} incident(s) imported.", "success")
    return redirect(url_for("incidents.index"))
