"""The SQLite-file rate-limit store: one count for every worker process on the machine."""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

from limits.storage import storage_from_string

from inspect_app.limit_store import SQLiteFileStorage

ROOT = Path(__file__).resolve().parents[2]


def _hammer(uri: str, times: int) -> None:
    store = storage_from_string(uri)
    for _ in range(times):
        store.incr("login:198.51.100.1", 60)


def test_processes_share_one_count(tmp_path):
    uri = f"wsi-sqlite://{tmp_path / 'limits.sqlite3'}"
    context = multiprocessing.get_context("spawn")  # like separate gunicorn workers: nothing shared in memory
    workers = [context.Process(target=_hammer, args=(uri, 25)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    store = storage_from_string(uri)
    assert isinstance(store, SQLiteFileStorage)
    assert store.get("login:198.51.100.1") == 75
    assert store.get("login:elsewhere") == 0


def test_a_window_ends_and_counts_start_again(tmp_path):
    store = SQLiteFileStorage(f"wsi-sqlite://{tmp_path / 'limits.sqlite3'}")
    assert store.incr("k", 1) == 1 and store.incr("k", 1) == 2
    assert time.time() < store.get_expiry("k") <= time.time() + 1
    time.sleep(1.05)
    assert store.get("k") == 0 and store.incr("k", 1) == 1
    store.clear("k")
    assert store.get("k") == 0 and store.check()


def _configured_uri(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"RATELIMIT_STORAGE_URI", "REDIS_URL"}}
    return subprocess.run([sys.executable, "-c", "import config; print(config.Config.RATELIMIT_STORAGE_URI)"],
                          cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=True).stdout.strip()


def test_config_without_redis_uses_the_shared_file_and_redis_when_set():
    assert _configured_uri().startswith("wsi-sqlite://")
    assert _configured_uri(REDIS_URL="redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
