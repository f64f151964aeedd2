"""A rate-limit store in a SQLite file: one count shared by every worker process on the machine.

Flask-Limiter keeps counts in memory by default, and each gunicorn worker then has its own:
with two workers an address got about twice the promised sign-in attempts. Without Redis
(``REDIS_URL``), ``RATELIMIT_STORAGE_URI=wsi-sqlite:///path/ratelimit.sqlite3`` points every
worker at one small file instead; each increment is one short ``BEGIN IMMEDIATE`` transaction,
so the count is exact across processes. Several machines need Redis (docs/decisions.md).

Supports the fixed-window strategy (Flask-Limiter's default, the one the app uses).
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from limits.storage import Storage

SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"


class SQLiteFileStorage(Storage):
    """``wsi-sqlite:///absolute/path.sqlite3``: fixed-window counters in one SQLite file."""

    STORAGE_SCHEME = ["wsi-sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        parsed = urlparse(uri)
        self.path = Path(unquote(parsed.netloc + parsed.path))
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        # One connection per thread and per process (a forked worker must not reuse its parent's).
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # counts need not survive a power cut
            conn.execute(SCHEMA)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")  # takes the write lock first: no lost updates between workers
        try:
            conn.execute("DELETE FROM counters WHERE key = ? AND expires <= ?", (key, now))
            conn.execute("INSERT INTO counters (key, count, expires) VALUES (?, ?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET count = count + excluded.count", (key, amount, now + expiry))
            count = conn.execute("SELECT count FROM counters WHERE key = ?", (key,)).fetchone()[0]
            if now % 60 < 1:  # now and then, forget windows long over
                conn.execute("DELETE FROM counters WHERE expires <= ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(count)

    def _row(self, key: str):
        return self._db().execute("SELECT count, expires FROM counters WHERE key = ? AND expires > ?",
                                  (key, time.time())).fetchone()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row[1]) if row else time.time()

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counters WHERE key = ?", (key,))
