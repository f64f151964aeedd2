"""Import a file of unsent items exported from a device (the sign-out escape hatch).

The file is what ``static/js/outbox.js`` writes: ``{"format": "wsi-unsent-items", "version": 1,
"items": [{op_id, kind, payload, client_time, files: {field: [{name, type, base64}]}}]}``.
Each item goes through the same once-only path as a live sync, so importing a file twice, or
importing items that did reach the server, applies nothing twice. The report has one line per item.
Each item is committed as soon as it is applied (``transaction.checkpoint``), as if the device had
sent it live: a long file never holds the database's write lock for the whole import, and an item
reported "applied" is saved.
"""
from __future__ import annotations

import base64
import binascii
import io
from datetime import datetime

from werkzeug.datastructures import FileStorage, MultiDict

from inspect_app import transaction
from inspect_app.api import receipts
from inspect_app.api.parse import OpError

FORMAT = "wsi-unsent-items"
MAX_ITEMS = 2000


def _files(raw) -> MultiDict:
    files = MultiDict()
    if not raw:
        return files
    if not isinstance(raw, dict):
        raise OpError(400, "The item's files must be an object of field names.")
    for field, entries in raw.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            try:
                data = base64.b64decode(entry["base64"], validate=True)
            except (KeyError, TypeError, binascii.Error):
                raise OpError(400, "A photo in the file is damaged (bad base64).") from None
            files.add(field, FileStorage(io.BytesIO(data), filename=str(entry.get("name") or "photo.jpg"),
                                         content_type=str(entry.get("type") or "image/jpeg")))
    return files


def import_document(document, *, by, now: datetime) -> dict:
    """Apply every item of an exported file in order; returns counts and a line per item.

    :raises OpError: the file is not an export of unsent items.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise OpError(400, "This is not an export of unsent items from Ward Safety Inspect.")
    items = document.get("items")
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise OpError(400, f"The file must list at most {MAX_ITEMS} items.")
    lines, counts = [], {"applied": 0, "already_synced": 0, "refused": 0}
    for item in items:
        op_id = item.get("op_id") if isinstance(item, dict) else None
        try:
            files = _files(item.get("files")) if isinstance(item, dict) else None
            status, body = receipts.apply(item, files, by=by, now=now)
            transaction.checkpoint()  # each item is kept as it is reported, as a live sync keeps it
        except (OpError, transaction.CommitFailed) as exc:
            counts["refused"] += 1
            lines.append({"op_id": op_id, "status": "refused", "status_code": exc.status, "message": str(exc)})
            continue
        outcome = "already_synced" if body["replayed"] else "applied"
        counts[outcome] += 1
        lines.append({"op_id": body["op_id"], "kind": body["kind"], "status": outcome, "status_code": status,
                      "result": body["result"]})
    return {**counts, "items": lines}
