"""Engine-level settings: SQLite gets WAL, foreign keys and a busy timeout on every connection;
each connection notes whether its transaction wrote, so one that wrote nothing can end with COMMIT
(keeps psycopg's prepared statements; ``inspect_app.transaction`` decides)."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

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
    if statement.lstrip()[:6].upper() != "SELECT":
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
