"""The sync API under /api/v1: a fresh CSRF token, who am I, one operation per request, the ward
pack, importing an exported file of unsent items, and the OpenAPI document.

Transport only: parsing and responses here, the once-only logic in ``receipts.py`` and the
operations themselves in ``ops.py``. Every write needs the ``X-CSRFToken`` header (CSRFProtect
is global); an expired session answers JSON 401 (``auth/login.py``), never a redirect.
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from inspect_app.api import exchange, openapi, ops, pack, receipts
from inspect_app.clock import utcnow
from inspect_app.security.access import requires

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def _no_store(response):
    # Sync answers and tokens must never be served from an HTTP or service-worker cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/csrf")
@requires()
def csrf():
    return jsonify(csrf_token=generate_csrf())


@bp.get("/me")
@requires()
def me():
    return jsonify(id=current_user.id, name=current_user.name, email=current_user.email, role=current_user.role,
                   can_capture=current_user.role in {r.value for r in ops.CAPTURE_ROLES})


def _op_from_request() -> dict:
    if request.mimetype == "multipart/form-data":
        try:
            return json.loads(request.form.get("op") or "")
        except ValueError:
            raise ops.OpError(400, "The op field must hold the operation as JSON.") from None
    op = request.get_json(silent=True)
    if op is None:
        raise ops.OpError(400, "Send the operation as JSON, or as multipart with an op field.")
    return op


def op_error(exc: ops.OpError, op_id=None):
    return jsonify(error=exc.status, message=exc.message, op_id=op_id, field=exc.field), exc.status


@bp.post("/ops")
@requires(*ops.CAPTURE_ROLES)
def apply_op():
    op = None
    try:
        op = _op_from_request()
        status, body = receipts.apply(op, request.files, by=current_user, now=utcnow())
    except ops.OpError as exc:
        return op_error(exc, op.get("op_id") if isinstance(op, dict) else None)
    return jsonify(body), status


@bp.get("/inspections/<int:inspection_id>/pack")
@requires(*ops.CAPTURE_ROLES)
def ward_pack(inspection_id: int):
    found = pack.build(inspection_id, by=current_user, now=utcnow())
    if found is None:
        abort(404)
    return jsonify(found)


@bp.post("/import")
@requires(*ops.CAPTURE_ROLES)
def import_unsent():
    upload = request.files.get("file")
    try:
        document = json.loads(upload.read()) if upload else request.get_json(silent=True)
    except ValueError:
        document = None
    try:
        report = exchange.import_document(document, by=current_user, now=utcnow())
    except ops.OpError as exc:
        return op_error(exc)
    return jsonify(report)


@bp.get("/openapi.json")
@requires()
def openapi_document():
    return jsonify(openapi.DOCUMENT)
