"""Trust-wide check pages: the list, launch one (safety leads), one check's progress by ward and
what matched, and a ward's task with its answer form (sent through the offline queue too)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from inspect_app.clock import utcnow
from inspect_app.estates.queries import ward_name_by_id
from inspect_app.estates.scope import on_visible_ward_or_404, visible_ward_ids
from inspect_app.forms_util import choices
from inspect_app.learning import queries, services
from inspect_app.learning.forms import AnswerForm, LaunchForm
from inspect_app.learning.models import TrustCheck, TrustCheckTask
from inspect_app.photos.imaging import PhotoRejected
from inspect_app.photos.services import PhotoError
from inspect_app.presence import any_rows, register
from inspect_app.refusals import status_of
from inspect_app.security.access import requires
from inspect_app.transaction import refuse

# No check open (the usual state between launches): the panels listing checks and tasks need no query.
register("open_trust_checks", queries.open_check_rows)
bp = Blueprint("learning", __name__, url_prefix="/learning")


def _visible_tasks(check: TrustCheck) -> list[TrustCheckTask]:
    ids = visible_ward_ids(current_user)
    return [t for t in check.tasks if ids is None or t.ward_id in ids]


@bp.app_template_global()
def check_today():
    """Today's date (UTC), for a task's "overdue" on every page that shows progress."""
    return utcnow().date()


@bp.app_template_global()
def ward_check_tasks(ward_id: int) -> list[TrustCheckTask]:
    """The ward's unanswered trust-wide check tasks (the inspection overview and each ward card of a
    home page list them): every ward's read in one statement the first time a page asks, kept for
    the request."""
    if "_open_tasks" not in g:
        g._open_tasks = queries.open_tasks_by_ward() if any_rows("open_trust_checks") else {}
    return g._open_tasks.get(ward_id, [])


@bp.app_template_global()
def open_trust_checks() -> list[TrustCheck]:
    if not any_rows("open_trust_checks"):
        return []
    return queries.open_checks()


@bp.get("/")
@requires()
def index():
    checks = queries.all_checks()
    return render_template("learning/index.html", checks=checks, visible=_visible_tasks)


def _source(read, raw):
    try:
        return read(int(raw)) if raw else None
    except (TypeError, ValueError):
        return None


@bp.route("/new", methods=["GET", "POST"])
@requires(*services.LAUNCHERS)
def new():
    form = LaunchForm(data={"category": request.args.get("category") or None,
                            "incident_id": request.args.get("incident_id"),
                            "fixture_check_id": request.args.get("fixture_check_id")}
                      if request.method == "GET" else None)
    incident = _source(queries.incident, form.incident_id.data)
    fixture_check = _source(queries.fixture_check, form.fixture_check_id.data)
    if request.form.get("step") == "preview":  # what would match, before anything is created
        return render_template("learning/new.html", form=form, incident=incident, fixture_check=fixture_check,
                               found=_preview(form))
    if request.method == "POST" and form.validate_on_submit():
        criteria = services.Criteria(form.category.data, form.product.data, form.installed_before.data)
        try:
            check = services.launch(title=form.title.data, criteria=criteria, due_on=form.due_on.data,
                                    instructions=form.instructions.data, incident=incident,
                                    fixture_check=fixture_check, by=current_user, now=utcnow())
        except services.CheckError as exc:
            refuse()
            target = getattr(form, exc.field or "", None) or form.title
            target.errors = [*target.errors, str(exc)]
        else:
            flash(f"{check.ref} launched on {len(check.tasks)} wards.", "success")
            return redirect(url_for("learning.show", check_id=check.id))
    status = 400 if request.method == "POST" else 200
    return render_template("learning/new.html", form=form, incident=incident, fixture_check=fixture_check), status


def _preview(form: LaunchForm) -> list[tuple[str, list[dict]]]:
    criteria = services.Criteria((form.category.data or "").strip() or None, (form.product.data or "").strip() or None,
                                 form.installed_before.data)
    if criteria == services.Criteria():
        form.category.errors = ["Say what to look for: a fixture category, a product, or installed before a date."]
        return []
    names = ward_name_by_id()
    return [(names[ward_id], rows) for ward_id, rows in sorted(services.matches(criteria).items(),
                                                               key=lambda kv: names[kv[0]])]


@bp.get("/<int:check_id>")
@requires()
def show(check_id: int):
    check = queries.check(check_id)
    if check is None:
        abort(404)
    return render_template("learning/show.html", check=check, tasks=_visible_tasks(check))


def task_or_404(task_id: int) -> TrustCheckTask:
    return on_visible_ward_or_404(TrustCheckTask, task_id)


def _answer_form(task: TrustCheckTask) -> AnswerForm:
    form = AnswerForm()
    matched = {m.get("finding_id") for m in task.matches}
    points = queries.present_points(task.ward_id)
    points = sorted(points, key=lambda f: (f.id not in matched, f.id))
    form.finding_ids.choices = choices((f.id, f"{f.ref} · {f.room.name} · {f.category}") for f in points)
    return form


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@requires()
def task(task_id: int):
    task = task_or_404(task_id)
    form = _answer_form(task)
    may_answer = current_user.role in {r.value for r in services.ANSWERERS} and not task.is_answered
    if request.method == "POST":
        if not may_answer:
            abort(409 if task.is_answered else 403)
        if form.validate_on_submit() and _answer(task, form):
            return redirect(url_for("learning.show", check_id=task.check_id))
        return render_template("learning/task.html", task=task, form=form, may_answer=may_answer), 400
    return render_template("learning/task.html", task=task, form=form, may_answer=may_answer)


def _answer(task: TrustCheckTask, form: AnswerForm) -> bool:
    uploads = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    try:
        services.answer_task(task, note=form.note.data, finding_ids=form.finding_ids.data or [],
                             photo_data=[f.read() for f in uploads], by=current_user, now=utcnow())
    except (services.CheckError, PhotoRejected, PhotoError) as exc:
        refuse()
        if status_of(exc) in (403, 409):
            abort(status_of(exc), str(exc))
        target = getattr(form, getattr(exc, "field", None) or "", None) or form.note
        target.errors = [*target.errors, str(exc)]
        return False
    flash(f"{task.ward.name}'s answer to {task.check.ref} recorded.", "success")
    return True
