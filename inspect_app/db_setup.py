"""Engine-level settings: SQLite gets WAL, foreign keys and a busy timeout on every connection;
each connection notes whether its transaction wrote, so one that wrote nothing can end with COMMIT
(keeps psycopg's prepared statements; ``inspect_app.transaction`` decides)."""
from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

_installed = False


def _on_connect(dbapi_connection, connection_record) -> None:  # noqa: ARG001 - SQLAlchemy signature
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed transaction
    cursor.close()


def install_sqlite_pragmas() -> None:
    """Listen once on every Engine; only SQLite connections are touched."""
    global _installed  # noqa: PLW0603 - once per process, whatever the number of apps
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        _installed = True


# --- Ping a pooled connection only after it sat idle ------------------------------------------
# pool_pre_ping sent "SELECT 1" before every request's first statement: a round trip on every
# page (~0.2-0.4 ms on loopback PostgreSQL). A connection handed back a moment ago by a busy
# worker is as alive as it was then; one that sat idle longer than DB_PING_AFTER_IDLE seconds
# (the server restarted, a proxy dropped it) is pinged first, and a dead one is replaced before
# the request uses it (DisconnectionError makes the pool connect afresh). pool_recycle bounds a
# connection's age. 0 pings on every checkout, as pool_pre_ping did.
_IDLE_SINCE = "wsi_idle_since"
_ping_after = {"seconds": 10.0}


def _note_idle(dbapi_connection, connection_record) -> None:  # noqa: ARG001 - SQLAlchemy signature
    connection_record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:  # noqa: ARG001
    since = connection_record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since < _ping_after["seconds"]:
        return  # new (just connected) or back in the pool a moment ago
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()  # (on psycopg the ping opens the transaction the request then uses: it wrote nothing)
    except Exception as exc:  # any driver's "connection is gone"
        raise DisconnectionError("idle connection failed its ping") from exc


def install_idle_ping(seconds: float) -> None:
    """Listen once on every pool; the latest app's DB_PING_AFTER_IDLE applies to the process."""
    _ping_after["seconds"] = max(0.0, float(seconds))
    if not event.contains(Pool, "checkout", _ping_if_idle):
        event.listen(Pool, "checkin", _note_idle)
        event.listen(Pool, "checkout", _ping_if_idle)


# --- Read-only requests end with COMMIT -------------------------------------------------------
# psycopg discards every server-side prepared statement on ROLLBACK (an object one refers to may
# have gone), and a session closed at the end of a request rolls back. So on PostgreSQL nothing
# stayed prepared from one request to the next: each statement was planned afresh every time,
# and planning a page's joins costs more than running them. A transaction that wrote nothing ends
# the same whether it commits or rolls back, so a request whose transaction sent nothing but
# SELECTs, with nothing pending in the session and no exception, now commits, and psycopg keeps
# its prepared statements. Any other statement (a flush, a bulk write, DDL, even a savepoint)
# marks the connection and keeps the rollback.

def _note_statement(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ARG001
    # SET LOCAL (extensions.generic_plans) changes how the transaction plans, not what it stores
    if not statement.lstrip()[:9].upper().startswith(("SELECT", "SET LOCAL")):
        conn.info["wrote"] = True


def _transaction_ended(conn) -> None:
    conn.info.pop("wrote", None)


def note_writes() -> None:
    """Mark each connection that sent anything but a SELECT in its transaction (``conn.info["wrote"]``):
    ``inspect_app.transaction`` then ends a transaction that only read with COMMIT."""
    if not event.contains(Engine, "before_cursor_execute", _note_statement):
        event.listen(Engine, "before_cursor_execute", _note_statement)
        event.listen(Engine, "commit", _transaction_ended)
        event.listen(Engine, "rollback", _transaction_ended)
