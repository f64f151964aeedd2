"""Admins draft a new checklist version carrying an alert's items, edit those items, and publish it."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.alerts import drafting, queries
from inspect_app.alerts.forms import DraftForm, ItemForm
from inspect_app.alerts.models import Alert
from inspect_app.checklists import library
from inspect_app.checklists import queries as checklist_queries
from inspect_app.checklists.models import ChecklistItem, ChecklistTemplate, TemplateStatus
from inspect_app.checklists.views import PublishForm
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.forms_util import choices
from inspect_app.security import jsonsafe
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

bp = Blueprint("alert_drafts", __name__, url_prefix="/alerts")
MAX_UPLOAD = 2 * 1024 * 1024


def base_choices(form: DraftForm) -> DraftForm:
    """Fill the "start from" choices: published versions first, then the rest, newest first."""
    templates = checklist_queries.unarchived_templates()
    form.template_id.choices = choices((t.id, f"{t.title} ({t.status})") for t in templates)
    return form


def _load(alert_id: int, template_id: int) -> tuple[Alert, ChecklistTemplate]:
    alert = queries.get_alert(alert_id) or abort(404)
    return alert, checklist_queries.get_template(template_id) or abort(404)


def _read_items_file(storage) -> dict | None:
    if storage is None or not getattr(storage, "filename", ""):
        return None
    raw = storage.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise library.LibraryError("The items file is larger than 2 MB.")
    try:
        return jsonsafe.loads(raw, max_depth=jsonsafe.LIBRARY_DEPTH)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise library.LibraryError("The items file is not valid JSON text.") from None


@bp.post("/<int:alert_id>/drafts")
@requires(Role.ADMIN)
def create(alert_id: int):
    alert = queries.get_alert(alert_id) or abort(404)
    form = base_choices(DraftForm(prefix="draft"))
    if not form.validate_on_submit():
        flash("Choose the version to start from and give the new version number.", "error")
        return redirect(url_for("alerts.detail", alert_id=alert.id)), 303
    base = checklist_queries.get_template(form.template_id.data) or abort(404)
    try:
        items_doc = _read_items_file(request.files.get("items"))
        draft = drafting.draft_with_items(base, alert, version=form.version.data, items_doc=items_doc,
                                          by=current_user, now=utcnow())
    except library.LibraryError as exc:
        refuse(f"Draft not created: {exc}")
        return redirect(url_for("alerts.detail", alert_id=alert.id)), 303
    flash(f"Draft {draft.title} created. Add or edit the alert's items, then publish.", "success")
    return redirect(url_for("alert_drafts.editor", alert_id=alert.id, template_id=draft.id))


@bp.get("/<int:alert_id>/drafts/<int:template_id>")
@requires(Role.ADMIN)
def editor(alert_id: int, template_id: int):
    alert, template = _load(alert_id, template_id)
    cited = queries.citation_sections(alert.id, template.id)
    items = sorted((i for i in template.items if i.id in cited), key=lambda i: (i.area_type.name, i.order))
    preview = library.publish_preview(template) if template.status == TemplateStatus.DRAFT.value else None
    return render_template("alerts/draft.html", alert=alert, template=template, items=items, cited=cited,
                           preview=preview,
                           publish_url=url_for("alert_drafts.publish", alert_id=alert.id, template_id=template.id))


@bp.route("/<int:alert_id>/drafts/<int:template_id>/items/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def new_item(alert_id: int, template_id: int):
    return _item(*_load(alert_id, template_id), None)


@bp.route("/<int:alert_id>/drafts/<int:template_id>/items/<int:item_id>", methods=["GET", "POST"])
@requires(Role.ADMIN)
def edit_item(alert_id: int, template_id: int, item_id: int):
    alert, template = _load(alert_id, template_id)
    item = checklist_queries.get_item(item_id)
    if item is None or item.template_id != template.id:
        abort(404)
    return _item(alert, template, item)


def _item(alert: Alert, template: ChecklistTemplate, item: ChecklistItem | None):
    citation = item and queries.citation(item.id, alert.id)
    form = ItemForm(obj=item if request.method == "GET" else None)
    if request.method == "GET" and item is not None:
        form.cites.data, form.section.data = citation is not None, citation.section if citation else None
    form.area_type_id.choices = choices((a.id, f"{a.name} ({a.code})")
                                        for a in checklist_queries.area_types_by_name())
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            area = checklist_queries.get_area_type(form.area_type_id.data) or abort(400, "Choose an area type.")
            try:
                saved = drafting.save_item(template, item, area_type=area, code=form.code.data,
                                           category=form.category.data, prompt=form.prompt.data,
                                           guidance=form.guidance.data, kind=form.kind.data,
                                           default_priority=form.default_priority.data or None,
                                           default_tier=form.default_tier.data or None,
                                           by=current_user, now=utcnow())
                drafting.set_citation(saved, alert, cites=form.cites.data, section=form.section.data,
                                      by=current_user, now=utcnow())
            except library.LibraryError as exc:
                refuse(str(exc))
            else:
                flash(f"Item {saved.code} saved.", "success")
                return redirect(url_for("alert_drafts.editor", alert_id=alert.id, template_id=template.id))
        else:
            flash("Check the form: some fields are missing or invalid.", "error")
        status = 400
    return render_template("alerts/item_form.html", alert=alert, template=template, item=item,
                           form=form), status


@bp.post("/<int:alert_id>/drafts/<int:template_id>/publish")
@requires(Role.ADMIN)
def publish(alert_id: int, template_id: int):
    alert, template = _load(alert_id, template_id)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("alert_drafts.editor", alert_id=alert.id, template_id=template.id)), 303
    try:
        library.publish_template(template, by=current_user, now=utcnow())
    except library.LibraryError as exc:
        refuse(str(exc))
        return redirect(url_for("alert_drafts.editor", alert_id=alert.id, template_id=template.id)), 303
    flash(f"Published {template.title}. Wards are shown below until they are assessed with it.", "success")
    return redirect(url_for("alerts.detail", alert_id=alert.id))
