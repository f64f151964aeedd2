"""Apply an operation exactly once: the effect and its receipt are kept or undone together.

Each operation runs in a savepoint (``transaction.savepoint``): a refused operation undoes only
itself, never what was applied before it in the same request (the import of unsent items), and
the request's one commit (``inspect_app.transaction``) keeps the effect with its receipt. A
replay (the device lost the response and sent the operation again) finds the receipt and gets
the original status and result back; nothing is applied twice. Two copies racing each other
both try to insert the receipt; the loser's operation (effect included) rolls back to its
savepoint on the unique violation and it answers with the winner's receipt.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from inspect_app import transaction
from inspect_app.api import ops
from inspect_app.api.models import SyncReceipt
from inspect_app.api.parse import OpError
from inspect_app.extensions import db


def check_op_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise OpError(400, "Each operation needs an op_id that is a UUID.") from None


def _body(op_id: str, kind: str, result: dict, *, replayed: bool) -> dict:
    return {"op_id": op_id, "kind": kind, "replayed": replayed, "result": result}


def checksum(kind: str, payload: Any) -> str:
    """SHA-256 of an operation's kind and payload in a canonical form (key order does not count)."""
    text = json.dumps([kind, payload], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replay(receipt: SyncReceipt, *, by, kind: str, digest: str) -> tuple[int, dict]:
    if receipt.user_id != by.id or receipt.kind != kind:
        raise OpError(409, "That operation id was already used for a different operation.")
    if receipt.payload_sha256 is not None and receipt.payload_sha256 != digest:
        # Not a retry but another change under a used id: refuse it, and say what the id did.
        raise OpError(409, "That operation id was already used with different contents; nothing was "
                               "changed. Send the change again as a new operation.",
                          original={"status_code": receipt.status_code, "result": receipt.result})
    return receipt.status_code, _body(receipt.op_id, receipt.kind, receipt.result, replayed=True)


def apply(op: dict, files=None, *, by, now: datetime, _retry: bool = True) -> tuple[int, dict]:
    """Apply ``op`` (``{op_id, kind, payload, client_time}``) once, unless its receipt says it was; returns
    (status, body). The caller's transaction is committed by the request (or :func:`transaction.checkpoint`).

    :param files: uploaded files of a multipart request (photos).
    :raises parse.OpError: the operation was refused; nothing was saved.
    """
    if not isinstance(op, dict):
        raise OpError(400, "Send one operation as a JSON object.")
    op_id = check_op_id(op.get("op_id"))
    kind = str(op.get("kind") or "")
    digest = checksum(kind, op.get("payload"))
    receipt = db.session.get(SyncReceipt, op_id)
    if receipt is not None:
        return _replay(receipt, by=by, kind=kind, digest=digest)
    try:
        with transaction.savepoint():  # the effect and its receipt, all or nothing
            status, result = ops.run(kind, op.get("payload") or {}, files or MultiDict(), by=by, now=now,
                                     client_time=op.get("client_time"))
            db.session.add(SyncReceipt(op_id=op_id, user_id=by.id, kind=kind, status_code=status, result=result,
                                       received_at=now, payload_sha256=digest))
    except IntegrityError:
        receipt = db.session.get(SyncReceipt, op_id)
        if receipt is None and _retry:
            # A clash on something else, such as the same point sent under two operation ids at
            # once: the handlers recognise what is now stored, so one more attempt resolves it.
            return apply(op, files, by=by, now=now, _retry=False)
        if receipt is None:
            raise OpError(409, "This conflicts with something already saved. Reload and check.") from None
        return _replay(receipt, by=by, kind=kind, digest=digest)
    return status, _body(op_id, kind, result, replayed=False)
