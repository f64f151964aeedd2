"""The audit trail for admins and patient safety leads: filter, page through, export as CSV.

``/audit/inspections/<id>`` and ``/audit/actions/<id>`` are the per-record trails that the
inspection and action pages link to; they are the same list with one filter fixed.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from sqlalchemy import func, select

from inspect_app.actions.models import Action
from inspect_app.audit import export
from inspect_app.audit.queries import AuditFilter, events
from inspect_app.auth.models import User
from inspect_app.clock import utcnow
from inspect_app.domain.workflow import Role
from inspect_app.estates.models import Ward
from inspect_app.extensions import db
from inspect_app.forms_util import choices
from inspect_app.history.forms import AuditFilterForm
from inspect_app.inspections.models import Inspection
from inspect_app.security.access import requires

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100
READERS = (Role.ADMIN, Role.SAFETY_LEAD)  # both see the whole trust, so no ward scoping is needed


def _ward_names() -> dict[int, str]:
    return dict(db.session.execute(select(Ward.id, Ward.name)).all())


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.ward.choices = choices([(0, "All wards")] + sorted(_ward_names().items(), key=lambda kv: kv[1]))
    form.user.choices = choices([(0, "Anyone")] + list(db.session.execute(select(User.id, User.name).order_by(User.name))))
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
    total = db.session.scalar(select(func.count()).select_from(events(audit_filter).subquery()))
    rows = db.session.scalars(events(audit_filter).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("audit/index.html", form=form, rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), subject=subject, args=audit_filter.as_args(),
                           ward_names=_ward_names())


@bp.get("/")
@requires(*READERS)
def index():
    return _render()


@bp.get("/inspections/<int:inspection_id>")
@requires(*READERS)
def inspection(inspection_id: int):
    record = db.session.get(Inspection, inspection_id) or abort(404)
    return _render(subject=f"inspection {record.ref}", inspection_id=record.id)


@bp.get("/actions/<int:action_id>")
@requires(*READERS)
def action(action_id: int):
    record = db.session.get(Action, action_id) or abort(404)
    return _render(subject=f"action {record.ref}", action_id=record.id)


@bp.get("/export.csv")
@requires(*READERS)
def export_csv():
    form = _form()
    if not form.validate():
        abort(400, "The filter is not valid: " + "; ".join(
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()))
    query = events(_filter(form))
    names = _ward_names()
    stamp = utcnow().strftime("%Y%m%d-%H%M")

    def rows():
        # Its own connection: the request's session may be torn down while the body streams.
        with db.engine.connect() as conn:
            yield from conn.execution_options(yield_per=500).execute(query)

    return Response(stream_with_context(export.csv_lines(rows(), names)),
                    mimetype="text/csv", headers={
                        "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
                        "Cache-Control": "no-store"})
