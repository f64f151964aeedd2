"""Replay 500 offline operations (100 of them photos) against a running server; print time and counts.

    .venv/bin/python bench/sync.py [--workers 2] [--photo-px 1600] [--keep]

Sets up a throwaway SQLite database (migrated, demo trust seeded, an inspection started), starts
gunicorn on 127.0.0.1 with it, signs in as the demo inspector and sends, one request at a time as
the device's outbox does: 100 ligature points, 100 photos (Pillow JPEGs of the size the device
uploads after its downscale), 300 checklist answers. Then it replays all 500 again (as after a
lost response) and checks that nothing new is stored. Targets: <= 30 s, exactly 500 stored.
A script that prints figures, not a test: exits 0 unless something crashes.
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TARGET_SECONDS = 30
POINTS, PHOTOS, ANSWERS = 100, 100, 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(workdir: Path) -> dict:
    """Migrate, seed, start an inspection; returns the ids the operations need."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from config import DevelopmentConfig
    from inspect_app import create_app
    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.demo.seed import seed_demo
    from inspect_app.estates.models import Room, Ward
    from inspect_app.extensions import db
    from inspect_app.inspections import services

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"],
                     PHOTO_ROOT=os.environ["PHOTO_ROOT"], INSTANCE_DIR=workdir)
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"), revision="heads")
        seed_demo(now=utcnow())
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        inspector.must_change_password = False
        ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
        inspection = services.start_inspection(ward=ward, inspection_type="annual", team=["Bench"], by=inspector,
                                               now=utcnow())
        rooms = list(db.session.scalars(select(Room).where(Room.ward_id == ward.id, Room.active.is_(True))))
        pairs = [(room.id, item.id) for room in rooms for item in services.room_items(inspection, room)]
        db.session.commit()
        return {"inspection": inspection.id, "rooms": [r.id for r in rooms], "pairs": pairs}


def count_stored() -> dict:
    import sqlite3

    path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("sync_receipt", "finding", "photo", "answer")}


def photo(seed: int, px: int) -> bytes:
    image = Image.new("RGB", (px, px * 3 // 4), ((seed * 53) % 256, (seed * 29) % 256, 120))
    pen = ImageDraw.Draw(image)
    for i in range(30):  # some detail so the JPEG is camera-sized rather than a flat colour
        x = (seed * 97 + i * 131) % px
        pen.ellipse([x, (i * 61) % (px * 3 // 4), x + 120, (i * 61) % (px * 3 // 4) + 90], fill=(i * 8, 200 - i * 5, seed % 256))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


class Device:
    """One keep-alive connection with the session cookie, like the tablet's browser."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status, data

    def login(self) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        form = f"csrf_token={token}&email=inspector%40demo.nhs.test&password=ward-demo-pass".encode()
        status, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"sign-in failed: {status}"

    def token(self) -> str:
        return json.loads(self.request("GET", "/api/v1/csrf")[1])["csrf_token"]

    def send(self, op: dict, token: str, files: dict[str, bytes] | None = None) -> tuple[int, dict]:
        if files:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="op"\r\n\r\n{json.dumps(op)}\r\n'.encode()]
            for field, content in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="p.jpg"\r\n'
                             f"Content-Type: image/jpeg\r\n\r\n".encode() + content + b"\r\n")
            parts.append(f"--{boundary}--\r\n".encode())
            body, ctype = b"".join(parts), f"multipart/form-data; boundary={boundary}"
        else:
            body, ctype = json.dumps(op).encode(), "application/json"
        status, data = self.request("POST", "/api/v1/ops", body, {"Content-Type": ctype, "X-CSRFToken": token})
        return status, json.loads(data)


def operations(ids: dict, photo_px: int) -> list[tuple[dict, dict | None]]:
    ops: list[tuple[dict, dict | None]] = []
    pairs = ids["pairs"]
    for n in range(POINTS):
        client_id = str(uuid.uuid4())
        room_id, item_id = pairs[(n * 7) % len(pairs)]
        ops.append(({"op_id": str(uuid.uuid4()), "kind": "finding.create", "payload": {
            "inspection_id": ids["inspection"], "room_id": room_id, "client_id": client_id, "category": "Bench",
            "description": f"Bench point {n}", "location": "Door", "grade": f"{1 + n % 5}x{1 + (n // 5) % 5}"}}, None))
        ops.append(({"op_id": str(uuid.uuid4()), "kind": "photo.add", "payload": {
            "finding_client_id": client_id, "photo_uuid": str(uuid.uuid4())}}, {"photo": photo(n, photo_px)}))
    for n in range(ANSWERS):
        room_id, item_id = pairs[n % len(pairs)]
        ops.append(({"op_id": str(uuid.uuid4()), "kind": "answer", "payload": {
            "inspection_id": ids["inspection"], "room_id": room_id, "item_id": item_id,
            # Not applicable suits ligature and check items alike; the reason alternates so replays change it.
            "value": "not_applicable", "na_reason": ("not_present", "repurposed")[n // len(pairs) % 2]}}, None))
    return ops


def replay(device: Device, ops, per_kind: dict[str, list[float]] | None = None) -> tuple[float, dict[int, int]]:
    token = device.token()
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    for op, files in ops:
        sent = time.perf_counter()
        status, body = device.send(op, token, files)
        if per_kind is not None:
            per_kind.setdefault(op["kind"], []).append(time.perf_counter() - sent)
        assert body.get("op_id") == op["op_id"], body
        statuses[status] = statuses.get(status, 0) + 1
    return time.perf_counter() - started, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--photo-px", type=int, default=1600, help="long edge of the uploaded photos")
    parser.add_argument("--keep", action="store_true", help="keep the database, photos and server log")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="wsi-bench-sync-"))
    port = free_port()
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
           "PHOTO_ROOT": str(workdir / "photos"), "INSTANCE_PATH": str(workdir), "RATELIMIT_ENABLED": "0",
           "SESSION_COOKIE_SECURE": "0", "SECRET_KEY": "bench-" + uuid.uuid4().hex}
    os.environ.update(env)
    ids = prepare(workdir)
    ops = operations(ids, args.photo_px)
    upload_mb = sum(len(f["photo"]) for _, f in ops if f) / 1e6
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - a file, not a pipe: a full pipe would stall the server
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=REPO, env=env, stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        device = Device(port)
        device.login()
        per_kind: dict[str, list[float]] = {}
        seconds, statuses = replay(device, ops, per_kind)
        stored = count_stored()
        again, again_statuses = replay(device, ops)
        after = count_stored()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        log.close()
    print(f"operations sent          {len(ops)} ({POINTS} points, {PHOTOS} photos of {args.photo_px} px "
          f"= {upload_mb:.1f} MB, {ANSWERS} answers), gunicorn -w {args.workers}, SQLite")
    print(f"first sync               {seconds:.1f} s ({seconds / len(ops) * 1000:.0f} ms per operation), "
          f"statuses {dict(sorted(statuses.items()))}")
    print("median per request       " + ", ".join(
        f"{kind} {statistics.median(times) * 1000:.0f} ms" for kind, times in per_kind.items()))
    print(f"stored                   receipts {stored['sync_receipt']}, points {stored['finding']}, "
          f"photos {stored['photo']}, answers {stored['answer']}")
    print(f"full replay (lost acks)  {again:.1f} s, statuses {dict(sorted(again_statuses.items()))}, "
          f"new rows {sum(after.values()) - sum(stored.values())}")
    ok_time = seconds <= TARGET_SECONDS
    ok_count = stored["sync_receipt"] == len(ops) == 500 and after == stored
    print(("PASS" if ok_time else "FAIL") + f" time {seconds:.1f} s (target <= {TARGET_SECONDS} s)")
    print(("PASS" if ok_count else "FAIL") + f" stored exactly {stored['sync_receipt']} (target 500), none on replay")
    if args.keep:
        print(f"server log, database and photos kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
