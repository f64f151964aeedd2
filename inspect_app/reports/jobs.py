"""Report builds that outlive their request: a thread renders, a JSON file says how far it got.

A 300-point report takes a few seconds to render; a request must never hang that long with
nothing on screen. The view collects the snapshot (fast, in the request), then hands the
render to a thread here and waits up to ``REPORT_INLINE_SECONDS``: a quick build is sent
straight back, a slow one gets a progress page that polls.

State is never only in memory, so any worker, and with Redis any app server, can answer
the poll and the download: the job's state is a Redis key (``REDIS_URL``) or, without Redis,
``<instance>/report-jobs/<token>/state.json`` written by atomic rename; the finished PDF goes
into the report store (``inspect_app.stores.report_store``: the same folder, or the S3 bucket
under ``report-jobs/``) as ``<token>/report.pdf``. One build runs at a time per process (a
semaphore): builds are CPU and memory heavy, and a queue is kinder to a two-core box than
interleaving. Jobs are deleted after ``REPORT_JOB_TTL`` seconds.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from flask import current_app

from inspect_app.stores import redis_client, report_store

Render = Callable[..., object]  # render(out=path, progress=callback)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
PROGRESS_EVERY = 0.2  # seconds between state writes while building
_slots = threading.BoundedSemaphore(1)
_threads: dict[str, threading.Thread] = {}


@dataclass(frozen=True)
class JobState:
    token: str
    owner_id: int
    filename: str
    unit: str  # what ``done`` and ``total`` count, e.g. "ligature points"
    status: str  # queued | building | done | failed
    done: int = 0
    total: int = 0
    created: float = 0.0

    @property
    def finished(self) -> bool:
        return self.status in {"done", "failed"}

    @property
    def percent(self) -> int:
        return 100 if self.status == "done" else int(100 * self.done / self.total) if self.total else 0


REDIS_PREFIX = "wsi:report-job:"
BUILDING = "building"  # the local folder where a render writes before the PDF goes to the store


class _FileStates:
    """Job states as files on this machine (no Redis): shared by the workers of one host."""

    def __init__(self, root: Path, ttl: float) -> None:
        self.root, self.ttl = root, ttl

    def save(self, state: JobState) -> None:
        directory = self.root / state.token
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = directory / "state.json.tmp"
        tmp.write_text(json.dumps(asdict(state)))
        os.replace(tmp, directory / "state.json")

    def load(self, token: str) -> dict | None:
        try:
            return json.loads((self.root / token / "state.json").read_text())
        except (OSError, ValueError):
            return None

    def discard(self, token: str) -> None:
        shutil.rmtree(self.root / token, ignore_errors=True)

    def sweep(self, store) -> None:
        cutoff = time.time() - self.ttl
        for directory in self.root.iterdir() if self.root.is_dir() else ():
            if directory.name not in _threads and directory.name != BUILDING and directory.stat().st_mtime < cutoff:
                shutil.rmtree(directory, ignore_errors=True)
                _delete_pdf(store, directory.name)


class _RedisStates:
    """Job states as Redis keys that expire by themselves: shared by every app server."""

    def __init__(self, client, ttl: float) -> None:
        self.client, self.ttl = client, int(ttl)

    def save(self, state: JobState) -> None:
        self.client.set(REDIS_PREFIX + state.token, json.dumps(asdict(state)), ex=self.ttl)

    def load(self, token: str) -> dict | None:
        raw = self.client.get(REDIS_PREFIX + token)
        return json.loads(raw) if raw else None

    def discard(self, token: str) -> None:
        self.client.delete(REDIS_PREFIX + token)

    def sweep(self, store) -> None:
        """Delete the PDFs whose job has expired from Redis."""
        tokens = {key.split("/", 1)[0] for key in store.keys()}
        for token in tokens - set(_threads) - {BUILDING}:
            if not self.client.exists(REDIS_PREFIX + token):
                _delete_pdf(store, token)


def _root() -> Path:
    return Path(current_app.config.get("REPORT_JOB_DIR") or Path(current_app.config["INSTANCE_DIR"]) / "report-jobs")


def _states():
    ttl = current_app.config.get("REPORT_JOB_TTL", 3600)
    client = redis_client()
    return _RedisStates(client, ttl) if client is not None else _FileStates(_root(), ttl)


def _pdf_key(token: str) -> str:
    return f"{token}/report.pdf"


def _delete_pdf(store, token: str) -> None:
    try:
        store.delete(_pdf_key(token))
    except OSError:
        pass  # the next sweep tries again


def _run(states, store, work: Path, state: JobState, render: Render, logger: logging.Logger) -> None:
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY:
            last = time.monotonic()
            states.save(replace(state, status="building", done=done, total=total))

    partial = work / f"{state.token}.pdf.part"
    try:
        with _slots:
            states.save(replace(state, status="building"))
            render(out=partial, progress=progress)
            store.put(_pdf_key(state.token), partial.read_bytes())
            states.save(replace(state, status="done", done=state.total))
    except Exception:  # noqa: BLE001 - any failure must reach the person waiting, not vanish
        logger.exception("report build %s failed", state.token)
        try:
            states.save(replace(state, status="failed"))
        except Exception:  # noqa: BLE001 - Redis gone too: the poll then answers 404, not "building" forever
            logger.exception("report build %s: could not record the failure", state.token)
    finally:
        partial.unlink(missing_ok=True)
        _threads.pop(state.token, None)


def start(render: Render, *, owner_id: int, filename: str, unit: str, total: int) -> JobState:
    """Start rendering in a thread; returns the queued job.

    :param render: called as ``render(out=path, progress=callback)``; it must not touch the
        database (the renderers take frozen snapshots).
    :param owner_id: the only user who may poll or download it.
    """
    states, store = _states(), report_store()
    try:
        states.sweep(store)
    except OSError:
        current_app.logger.warning("report job sweep failed", exc_info=True)
    work = _root() / BUILDING
    work.mkdir(parents=True, exist_ok=True)
    state = JobState(secrets.token_urlsafe(18), owner_id, filename, unit, "queued", 0, total, time.time())
    states.save(state)
    thread = threading.Thread(target=_run, args=(states, store, work, state, render, current_app.logger),
                              name=f"report-{state.token[:6]}", daemon=True)
    _threads[state.token] = thread
    thread.start()
    return state


def wait(state: JobState, seconds: float) -> JobState:
    """Give the build up to ``seconds`` to finish (in this process); returns the latest state."""
    thread = _threads.get(state.token)
    if thread is not None:
        thread.join(seconds)
    return load(state.token, state.owner_id) or state


def load(token: str, owner_id: int) -> JobState | None:
    """The job if it exists and belongs to ``owner_id``; None otherwise (the caller answers 404)."""
    if not TOKEN.match(token or ""):
        return None
    try:
        state = JobState(**(_states().load(token) or {}))
    except TypeError:
        return None
    return state if state.owner_id == owner_id else None


def open_pdf(state: JobState):
    """A stream of the finished PDF (FileNotFoundError when it has gone)."""
    return report_store().open(_pdf_key(state.token))


def discard(state: JobState) -> None:
    _delete_pdf(report_store(), state.token)
    _states().discard(state.token)
