"""The audit trail for admins and patient safety leads: filter, page through, export as CSV.

``/audit/inspections/<id>`` and ``/audit/actions/<id>`` are the per-record trails that the
inspection and action pages link to; they are the same list with one filter fixed.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from inspect_app.audit import export
from inspect_app.audit.queries import AuditFilter
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.forms_util import choices
from inspect_app.history import queries
from inspect_app.history.forms import AuditFilterForm
from inspect_app.inspections.queries import inspection_or_none
from inspect_app.security.access import requires

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100
READERS = (Role.ADMIN, Role.SAFETY_LEAD)  # both see the whole trust, so no ward scoping is needed


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.ward.choices = choices([(0, "All wards")] + sorted(queries.ward_names().items(), key=lambda kv: kv[1]))
    form.user.choices = choices([(0, "Anyone")] + queries.users_by_name())
    return form


def _filter(form: AuditFilterForm, **fixed) -> AuditFilter:
    values = dict(ward_id=form.ward.data or None, user_id=form.user.data or None, verb=form.verb.data or None,
                  inspection_id=form.inspection.data, action_id=form.action.data,
                  date_from=form.date_from.data, date_to=form.date_to.data)
    return AuditFilter(**(values | fixed))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        abort(400, "The page number must be a whole number from 1 upwards.")
    return int(raw)


def _render(subject: str | None = None, **fixed):
    form = _form()
    if not form.validate():
        return render_template("audit/index.html", form=form, rows=[], total=0, page=1, pages=1, subject=subject,
                               args={}, ward_names={}), 400
    audit_filter = _filter(form, **fixed)
    page = _page_number()
    total, rows = queries.event_page(audit_filter, page=page, size=PAGE_SIZE)
    return render_template("audit/index.html", form=form, rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), subject=subject, args=audit_filter.as_args(),
                           ward_names=queries.ward_names())


@bp.get("/")
@requires(*READERS)
def index():
    return _render()


@bp.get("/inspections/<int:inspection_id>")
@requires(*READERS)
def inspection(inspection_id: int):
    record = inspection_or_none(inspection_id) or abort(404)
    return _render(subject=f"inspection {record.ref}", inspection_id=record.id)


@bp.get("/actions/<int:action_id>")
@requires(*READERS)
def action(action_id: int):
    record = queries.get_action(action_id) or abort(404)
    return _render(subject=f"action {record.ref}", action_id=record.id)


@bp.get("/export.csv")
@requires(*READERS)
def export_csv():
    form = _form()
    if not form.validate():
        abort(400, "The filter is not valid: " + "; ".join(
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()))
    audit_filter = _filter(form)
    names = queries.ward_names()
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(export.csv_lines(queries.stream_events(audit_filter), names)),
                    mimetype="text/csv", headers={
                        "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
                        "Cache-Control": "no-store"})
