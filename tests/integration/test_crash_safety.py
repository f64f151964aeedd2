"""Crash safety: SIGKILL gunicorn in the middle of a burst of sync operations with photos.

After a restart every operation the server acknowledged (answered 2xx) is present with its
receipt and photos, replaying it is answered from the receipt, and ``photos check`` finds no
missing file; files of uploads cut off by the kill are orphans that ``--remove-orphans`` clears.
"""
from __future__ import annotations

import http.client
import http.cookiejar
import io
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from PIL import Image

from config import TestingConfig
from inspect_app import create_app
from inspect_app.extensions import db
from tests.conftest import ROOT

THREADS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jpeg(seed: int) -> bytes:
    image = Image.new("RGB", (900, 700), ((seed * 37) % 256, (seed * 11) % 256, 90))
    image.putpixel((seed % 900, 1), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for n, (name, data) in enumerate(files):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="p{n}.jpg"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Tablet:
    """A signed-in inspector speaking HTTP to the real server."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(f"{base}/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"email": "inspector@demo.nhs.test", "password": "ward-demo-pass",
                                       "csrf_token": token}).encode()
        self.opener.open(urllib.request.Request(f"{base}/login", data=body), timeout=10)
        self.token = json.loads(self.opener.open(f"{base}/api/v1/csrf", timeout=10).read())["csrf_token"]

    def send(self, op: dict, photos: list[bytes] = (), field: str = "photos") -> tuple[int, dict]:
        if photos:
            body, ctype = _multipart({"op": json.dumps(op)}, [(field, p) for p in photos])
        else:
            body, ctype = json.dumps(op).encode(), "application/json"
        request = urllib.request.Request(f"{self.base}/api/v1/ops", data=body, method="POST",
                                         headers={"Content-Type": ctype, "X-CSRFToken": self.token})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


class Server:
    def __init__(self, env: dict[str, str]):
        self.env, self.port, self.process = env, _free_port(), None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # master and workers at once, no clean-up
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


@pytest.fixture
def crash_site(migrated_url, tmp_path):
    """A file SQLite database with the demo trust and an inspection in progress; the server's env."""
    from sqlalchemy import select

    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.demo.seed import seed_demo
    from inspect_app.estates.models import Room, Ward
    from inspect_app.inspections import services as inspections

    template = Path(migrated_url.removeprefix("sqlite:///")) if migrated_url.startswith("sqlite") else None
    database = tmp_path / "crash.db"
    url = f"sqlite:///{database}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, PHOTO_ROOT=str(tmp_path / "photos"),
                     INSTANCE_DIR=tmp_path)
    with app.app_context():
        if template is not None:
            database.write_bytes(template.read_bytes())
        else:  # the suite runs on PostgreSQL: migrate a SQLite file for this test
            from flask_migrate import upgrade
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
        seed_demo(now=utcnow())
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
        inspection = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Sam Okafor"],
                                                  by=inspector, now=utcnow())
        db.session.commit()
        rooms = [r.id for r in db.session.scalars(select(Room).where(Room.ward_id == ward.id))]
        inspection_id = inspection.id
        db.engine.dispose()
    env = {**os.environ, "APP_ENV": "testing", "DATABASE_URL": url, "PHOTO_ROOT": str(tmp_path / "photos"),
           "INSTANCE_PATH": str(tmp_path), "PYTHONPATH": str(ROOT)}
    server = Server(env)
    yield {"server": server, "database": database, "inspection": inspection_id, "rooms": rooms, "env": env,
           "photos": tmp_path / "photos"}
    server.stop()


def _burst(tablet: Tablet, site: dict, acked: list, stop: threading.Event, seed: int) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        room = site["rooms"][(seed * 7 + n) % len(site["rooms"])]
        op = {"op_id": str(uuid.uuid4()), "kind": "finding.create", "client_time": None,
              "payload": {"inspection_id": site["inspection"], "room_id": room, "client_id": str(uuid.uuid4()),
                          "category": "Door furniture", "description": f"Point {seed}-{n}", "grade": "2x3"}}
        try:
            status, body = tablet.send(op, photos=[_jpeg(seed * 1000 + n)])
        except (OSError, ValueError, http.client.HTTPException):
            # the server died under us (a kill between the response's headers and its body is an
            # IncompleteRead): this op was never acknowledged
            return
        if 200 <= status < 300:
            acked.append((op, body))


def test_acknowledged_operations_survive_a_sigkill_mid_burst(crash_site):
    server = crash_site["server"]
    server.start()
    tablets = [Tablet(server.base) for _ in range(THREADS)]
    acked: list = []
    stop = threading.Event()
    threads = [threading.Thread(target=_burst, args=(t, crash_site, acked, stop, i)) for i, t in enumerate(tablets)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acked) < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()  # requests are in flight in every thread
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acked) >= 12, "the burst did not get going before the kill"

    server.port = _free_port()
    server.start()
    with sqlite3.connect(crash_site["database"]) as conn:
        receipts = {row[0] for row in conn.execute("SELECT op_id FROM sync_receipt")}
        photo_uuids = {row[0] for row in conn.execute("SELECT uuid FROM photo")}
        findings = {row[0] for row in conn.execute("SELECT client_id FROM finding")}
    for op, body in acked:
        assert op["op_id"] in receipts
        assert op["payload"]["client_id"] in findings
        assert {p["photo_uuid"] for p in body["result"]["photos"]} <= photo_uuids

    tablet = Tablet(server.base)
    for op, body in acked[:5]:  # a device that never saw the answer sends again: answered from the receipt
        status, again = tablet.send(op, photos=[b"ignored on replay"])
        assert again["replayed"] is True and again["result"] == body["result"]

    check = _flask(crash_site["env"], "photos", "check", "--grace-minutes", "0")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Missing files (record without file): 0" in check.stdout
    removed = _flask(crash_site["env"], "photos", "check", "--grace-minutes", "0", "--remove-orphans")
    assert removed.returncode == 0
    final = _flask(crash_site["env"], "photos", "check", "--grace-minutes", "0", "--checksums")
    assert final.returncode == 0 and "Orphaned files (no record): 0" in final.stdout
    assert "Corrupt files (checksum differs): 0" in final.stdout


def _flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], check=False, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
