"""Report downloads: ASCII-safe file names, attachment headers, and the quick-or-progress choice.

Every PDF leaves as an attachment marked ``Cache-Control: private, no-store``: the reports
describe how patients could harm themselves, so no proxy or shared cache may keep a copy.
"""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from functools import partial

from flask import Response, current_app, redirect, send_file, url_for

from . import jobs

NO_STORE = "private, no-store"


def slug(text: str) -> str:
    """``"Ward 3 (Männer) / Nord"`` -> ``"ward-3-manner-nord"``: safe in any header or file system."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "report"


def inspection_filename(ward: str, started: date, ref: str, *, draft: bool) -> str:
    return f"ligature-report-{slug(ward)}-{started:%Y-%m-%d}-{slug(ref)}{'-DRAFT' if draft else ''}.pdf"


def tracker_filename(scope: str, on: date) -> str:
    return f"remediation-tracker-{slug(scope)}-{on:%Y-%m-%d}.pdf"


def labels_filename(ward: str, on: date) -> str:
    return f"room-labels-{slug(ward)}-{on:%Y-%m-%d}.pdf"


def attachment(data_or_path, filename: str) -> Response:
    response = send_file(data_or_path, mimetype="application/pdf", as_attachment=True,
                         download_name=filename, max_age=0, etag=False, last_modified=None)
    response.headers["Cache-Control"] = NO_STORE
    return response


def deliver(render, snapshot, *, owner_id: int, filename: str, unit: str, total: int) -> Response:
    """Build ``render(snapshot)`` in the background; send it now if that took under the inline
    limit (a second by default), otherwise send the person to the progress page."""
    state = jobs.start(partial(render, snapshot), owner_id=owner_id, filename=filename, unit=unit, total=total)
    state = jobs.wait(state, current_app.config.get("REPORT_INLINE_SECONDS", 1.0))
    if state.status == "done":
        with jobs.open_pdf(state) as stream:
            data = stream.read()
        jobs.discard(state)
        return attachment(io.BytesIO(data), filename)
    return redirect(url_for("report_jobs.show", token=state.token), 303)
