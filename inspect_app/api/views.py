"""The sync API under /api/v1: a fresh CSRF token, who am I, one operation per request, the ward
pack, importing an exported file of unsent items, and the OpenAPI document.

Transport only: parsing and responses here, the once-only logic in ``receipts.py`` and the
operations themselves in ``ops.py``. Every write needs the ``X-CSRFToken`` header (CSRFProtect
is global); an expired session answers JSON 401 (``auth/login.py``), never a redirect.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from inspect_app.api import exchange, openapi, ops, pack, receipts
from inspect_app.api.parse import OpError
from inspect_app.clock import utcnow
from inspect_app.security import jsonsafe
from inspect_app.security.access import EVERYONE, requires

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def _no_store(response):
    # Sync answers and tokens must never be served from an HTTP or service-worker cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/csrf")
@requires(*EVERYONE)
def csrf():
    return jsonify(csrf_token=generate_csrf())


@bp.get("/me")
@requires(*EVERYONE)
def me():
    return jsonify(id=current_user.id, name=current_user.name, email=current_user.email, role=current_user.role,
                   can_capture=current_user.role in {r.value for r in ops.CAPTURE_ROLES})


def parse_json(raw: bytes | str, message: str):
    """The JSON document in ``raw``; 400 with ``message`` if it is not JSON, and with its own
    message when it nests deeper than any operation could (the parser would recurse to a 500)."""
    try:
        return jsonsafe.loads(raw)
    except jsonsafe.TooDeep:
        raise OpError(400, f"The JSON is nested more than {jsonsafe.API_DEPTH} levels deep; "
                               "no operation is shaped like that.") from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise OpError(400, message) from None


def _op_from_request() -> dict:
    if request.mimetype == "multipart/form-data":
        return parse_json(request.form.get("op") or "", "The op field must hold the operation as JSON.")
    if not request.is_json:
        raise OpError(400, "Send the operation as JSON, or as multipart with an op field.")
    return parse_json(request.get_data(cache=False), "Send the operation as JSON, or as multipart with an op field.")


def op_error(exc: OpError, op_id=None):
    return jsonify(error=exc.status, message=exc.message, op_id=op_id, field=exc.field, **exc.extra), exc.status


@bp.post("/ops")
@requires(*EVERYONE)  # each kind checks its own roles (ops.ROLES), as its page form does
def apply_op():
    op = None
    try:
        op = _op_from_request()
        status, body = receipts.apply(op, request.files, by=current_user, now=utcnow())
    except OpError as exc:
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
@requires(*EVERYONE)  # each item is checked as the operation it holds
def import_unsent():
    upload = request.files.get("file")
    try:
        raw = upload.read() if upload else request.get_data(cache=False)
        document = parse_json(raw, "This is not an export of unsent items from Ward Safety Inspect.")
        report = exchange.import_document(document, by=current_user, now=utcnow())
    except OpError as exc:
        return op_error(exc)
    return jsonify(report)


@bp.get("/openapi.json")
@requires(*EVERYONE)
def openapi_document():
    return jsonify(openapi.DOCUMENT)
