"""The progress page of a report being built, its JSON status for the polling script, and the
finished download. A job is visible only to the person who started it (404 for anyone else)."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, url_for
from flask_login import current_user

from inspect_app.security.access import requires

from . import jobs
from .downloads import NO_STORE, attachment

bp = Blueprint("report_jobs", __name__, url_prefix="/reports/jobs")


def _job_or_404(token: str) -> jobs.JobState:
    state = jobs.load(token, current_user.id)
    if state is None:
        abort(404)
    return state


@bp.get("/<token>")
@requires()
def show(token: str):
    state = _job_or_404(token)
    return render_template("reports/job.html", job=state), 500 if state.status == "failed" else 200


@bp.get("/<token>/status.json")
@requires()
def status(token: str):
    state = _job_or_404(token)
    response = jsonify(status=state.status, done=state.done, total=state.total, unit=state.unit,
                       percent=state.percent, filename=state.filename,
                       download=url_for("report_jobs.download", token=token) if state.status == "done" else None)
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.get("/<token>/download")
@requires()
def download(token: str):
    state = _job_or_404(token)
    if state.status != "done":
        abort(404)
    try:
        stream = jobs.open_pdf(state)
    except FileNotFoundError:
        abort(404)
    return attachment(stream, state.filename)
