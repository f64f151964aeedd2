"""What ``/healthz`` checks: the database, the photo store and, when configured, Redis.

Each check answers "ok" or a short reason; a load balancer takes the server out of rotation on
the 503 that any failure gives. Reasons name the kind of failure, never a password or URL.
"""
from __future__ import annotations

import os

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from inspect_app import transaction
from inspect_app.extensions import db
from inspect_app.stores import photo_store, redis_client
from inspect_app.stores.storage import LocalStorage


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        transaction.rollback()
        return f"unreachable ({type(exc).__name__})"
    return "ok"


def check_storage() -> str:
    try:
        store = photo_store()
        if isinstance(store, LocalStorage):
            root = store.root
            while not root.exists():  # not created until the first photo: its parent must be writable
                root = root.parent
            return "ok" if os.access(root, os.W_OK) else f"not writable ({root})"
        store.ping()
    except (OSError, RuntimeError) as exc:
        return f"unreachable ({exc})"[:200]
    return "ok"


def check_redis() -> str | None:
    client = redis_client()
    if client is None:
        return None
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - redis raises its own hierarchy; any failure is "down"
        return f"unreachable ({type(exc).__name__})"
    return "ok"


def health() -> tuple[dict, int]:
    """The JSON body and status code of ``/healthz``."""
    checks = {"database": check_database(), "storage": check_storage()}
    redis_state = check_redis()
    if redis_state is not None:
        checks["redis"] = redis_state
    ok = all(value == "ok" for value in checks.values())
    return {"status": "ok" if ok else "error", **checks}, 200 if ok else 503
