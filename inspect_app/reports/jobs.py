"""Report builds that outlive their request: a thread renders, a JSON file says how far it got.

A 300-point report takes a few seconds to render; a request must never hang that long with
nothing on screen. The view collects the snapshot (fast, in the request), then hands the
render to a thread here and waits up to ``REPORT_INLINE_SECONDS``: a quick build is sent
straight back, a slow one gets a progress page that polls.

State lives in files under ``<instance>/report-jobs/<token>/`` (``state.json`` written by
atomic rename, and the PDF), not in memory, so any worker process on the host can answer the
poll and the download. One build runs at a time per process (a semaphore): builds are CPU
and memory heavy, and a queue is kinder to a two-core box than interleaving. Finished jobs
are deleted after ``REPORT_JOB_TTL`` seconds.
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
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

from flask import current_app

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


def _root() -> Path:
    return Path(current_app.config.get("REPORT_JOB_DIR") or Path(current_app.config["INSTANCE_DIR"]) / "report-jobs")


def _write(directory: Path, state: JobState) -> None:
    tmp = directory / "state.json.tmp"
    tmp.write_text(json.dumps(asdict(state)))
    os.replace(tmp, directory / "state.json")


def _sweep(root: Path, ttl: float) -> None:
    cutoff = time.time() - ttl
    for directory in root.iterdir() if root.is_dir() else ():
        if directory.name not in _threads and directory.stat().st_mtime < cutoff:
            shutil.rmtree(directory, ignore_errors=True)


def _run(directory: Path, state: JobState, render: Render, logger: logging.Logger) -> None:
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY:
            last = time.monotonic()
            _write(directory, replace(state, status="building", done=done, total=total))

    try:
        with _slots:
            _write(directory, replace(state, status="building"))
            partial = directory / "report.pdf.part"
            render(out=partial, progress=progress)
            os.replace(partial, directory / "report.pdf")
            _write(directory, replace(state, status="done", done=state.total))
    except Exception:  # noqa: BLE001 - any failure must reach the person waiting, not vanish
        logger.exception("report build %s failed", state.token)
        _write(directory, replace(state, status="failed"))
    finally:
        _threads.pop(state.token, None)


def start(render: Render, *, owner_id: int, filename: str, unit: str, total: int) -> JobState:
    """Start rendering in a thread; returns the queued job.

    :param render: called as ``render(out=path, progress=callback)``; it must not touch the
        database (the renderers take frozen snapshots).
    :param owner_id: the only user who may poll or download it.
    """
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    _sweep(root, current_app.config.get("REPORT_JOB_TTL", 3600))
    state = JobState(secrets.token_urlsafe(18), owner_id, filename, unit, "queued", 0, total, time.time())
    directory = root / state.token
    directory.mkdir(mode=0o700)
    _write(directory, state)
    thread = threading.Thread(target=_run, args=(directory, state, render, current_app.logger),
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
        state = JobState(**json.loads((_root() / token / "state.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None
    return state if state.owner_id == owner_id else None


def pdf_path(state: JobState) -> Path:
    return _root() / state.token / "report.pdf"


def discard(state: JobState) -> None:
    shutil.rmtree(_root() / state.token, ignore_errors=True)
