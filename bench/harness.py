"""Shared by bench/load.py and bench/pages.py: prepare a database, run gunicorn, time HTTP calls.

Use a throwaway database: the benches add data (inspections, ligature points, photos) to it.
PostgreSQL is what they are for (``source .ci/pg_throwaway.sh; pg_up``); SQLite works too.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PASSWORD = "ward-demo-pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def environment(workdir: Path) -> dict[str, str]:
    """The server's environment: production config, plain HTTP on loopback, limiter off.

    The limiter is off because every simulated inspector signs in from 127.0.0.1, which the
    per-address sign-in limit would (rightly) stop.
    """
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "BACKUP_KEY": secrets.token_hex(32), "DATABASE_URL": url,
            "PHOTO_ROOT": str(workdir / "photos"), "INSTANCE_PATH": str(workdir), "SESSION_COOKIE_SECURE": "0",
            "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(REPO)}


def app_for(env: dict[str, str]):
    """An in-process app on the bench database (for seeding), with the server's settings."""
    from config import ProductionConfig
    from inspect_app import create_app

    return create_app(ProductionConfig, SECRET_KEY=env["SECRET_KEY"], BACKUP_KEY=env["BACKUP_KEY"],
                      SQLALCHEMY_DATABASE_URI=_sa_url(env),
                      PHOTO_ROOT=env["PHOTO_ROOT"], INSTANCE_DIR=Path(env["INSTANCE_PATH"]))


def _sa_url(env: dict[str, str]) -> str:
    url = env["DATABASE_URL"]
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith(("postgres://", "postgresql://")) else url


def migrate_and_seed(app) -> None:
    from flask_migrate import upgrade

    from inspect_app.clock import utcnow
    from inspect_app.demo import seed
    from inspect_app.extensions import db

    with app.app_context():
        upgrade(directory=str(REPO / "migrations"), revision="heads")
        if not seed.has_users():
            seed.seed_demo(now=utcnow())
            db.session.commit()


def refresh_statistics(app) -> None:
    """VACUUM ANALYZE after a bulk seed on PostgreSQL, as autovacuum would within a minute in service
    (VACUUM also marks the pages all-visible, which index-only scans need).

    Without it the planner still believes the freshly filled tables are empty and picks nested
    loops over thousands of rows; no database in service runs in that state.
    """
    from sqlalchemy import text

    from inspect_app.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int = 2):
        self.env, self.workers, self.port, self.process = env, workers, free_port(), None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        env = {**self.env, "WEB_CONCURRENCY": str(self.workers), "BIND": f"127.0.0.1:{self.port}"}
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                                         "--log-level", "warning", "wsgi:app"], cwd=REPO, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def worker_memory(master_pid: int) -> list[tuple[int, int, int]]:
    """(pid, current RSS KiB, peak RSS KiB = VmHWM) of each worker process under a gunicorn master."""
    out = []
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return out
    for pid in map(int, children):
        try:
            status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        out.append((pid, int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0])))
    return out


class Browser:
    """One signed-in user: cookies, a CSRF token, and timed requests (urllib, no keep-alive)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def sign_in(self, email: str) -> tuple[int, float]:
        started = time.perf_counter()
        page = self.opener.open(f"{self.base}/login", timeout=60).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
        status, _ = self._open(urllib.request.Request(f"{self.base}/login", data=body))
        self.token = json.loads(self.opener.open(f"{self.base}/api/v1/csrf", timeout=60).read())["csrf_token"]
        return status, time.perf_counter() - started

    def _open(self, request) -> tuple[int, bytes]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def get(self, path: str) -> tuple[int, float, bytes]:
        started = time.perf_counter()
        status, body = self._open(urllib.request.Request(self.base + path))
        return status, time.perf_counter() - started, body

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, float, bytes]:
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": content_type, "X-CSRFToken": self.token})
        started = time.perf_counter()
        status, data = self._open(request)
        return status, time.perf_counter() - started, data


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    for n, (name, data) in enumerate(files):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="p{n}.jpg"\r\n'
                     "Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
