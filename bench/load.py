"""50 simulated inspectors for 60 s against gunicorn: requests per second, latency, errors.

    source .ci/pg_throwaway.sh; pg_up          # a throwaway PostgreSQL (as root)
    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--workers 2]
    pg_down

    .venv/bin/python bench/load.py --servers 2 [--workers 2]   # or --cluster for one server

``--servers N`` (N > 1) or ``--cluster`` runs the scale-out setup of ``scripts/cluster.py`` instead:
its own PostgreSQL, SeaweedFS (photos in S3), Redis and N gunicorn servers on loopback; every
simulated inspector sends its requests to the servers in turn (round robin, as a load balancer
without session affinity would).

Each simulated inspector (a thread speaking HTTP through urllib, no keep-alive) signs in as
the demo inspector, then loops: open a room page, sync a checklist answer, and every fourth
round record a ligature point with a photo (multipart, a 1600 px JPEG as the browser's
downscale sends it), every eighth add another photo to that point. Without DATABASE_URL it
uses a SQLite file. Target: 0 errors. Prints figures; exits 0 unless it crashes.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

from harness import (
    REPO,
    Browser,
    Gunicorn,
    app_for,
    environment,
    migrate_and_seed,
    multipart,
    percentile,
    worker_memory,
)
from PIL import Image, ImageDraw

sys.path.insert(0, str(REPO / "scripts"))
from cluster import Cluster  # noqa: E402


class RoundRobin(Browser):
    """A Browser whose every request goes to the next server (cookies are per host, so one session)."""

    def __init__(self, bases: list[str]):
        super().__init__(bases[0])
        self._next = itertools.cycle(bases)

    @property
    def base(self) -> str:
        return next(self._next)

    @base.setter
    def base(self, value: str) -> None:
        pass


def photos(count: int = 12) -> list[bytes]:
    rng = random.Random(7)
    out = []
    for _ in range(count):
        image = Image.new("RGB", (1600, 1200), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        draw = ImageDraw.Draw(image)
        for _ in range(150):
            x, y = rng.randrange(1600), rng.randrange(1200)
            draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)),
                           fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        out.append(buffer.getvalue())
    return out


def prepare(env) -> list[dict]:
    """An inspection in progress on every ward; returns [{inspection, rooms, items}] per ward."""
    from sqlalchemy import select

    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.estates.models import Room, Ward
    from inspect_app.extensions import db
    from inspect_app.inspections import services

    app = app_for(env)
    migrate_and_seed(app)
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        wards = []
        for ward in db.session.scalars(select(Ward).order_by(Ward.id)):
            inspection = services.in_progress_for(ward.id) or services.start_inspection(
                ward=ward, inspection_type="annual", team=["Bench"], by=inspector, now=utcnow())
            rooms = list(db.session.scalars(select(Room).where(Room.ward_id == ward.id, Room.active.is_(True))))
            wards.append({"inspection": inspection.id, "rooms": [
                {"id": r.id, "items": [i.id for i in services.room_items(inspection, r)]} for r in rooms]})
        db.session.commit()
        db.engine.dispose()
    return wards


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []

    def add(self, kind: str, status: int, seconds: float, body: bytes = b"") -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            if not 200 <= status < 400:
                self.errors[kind] += 1
                if len(self.examples) < 5:
                    self.examples.append(f"{kind} {status} {body[:160]!r}")


def inspector(bases: list[str], ward: dict, pictures: list[bytes], stop: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    browser = RoundRobin(bases) if len(bases) > 1 else Browser(bases[0])
    try:
        status, seconds = browser.sign_in("inspector@demo.nhs.test")
        tally.add("sign in", status, seconds)
        last_finding, rounds = None, 0
        while time.monotonic() < stop:
            rounds += 1
            room = rng.choice(ward["rooms"])
            status, seconds, body = browser.get(f"/inspections/{ward['inspection']}/rooms/{room['id']}")
            tally.add("room page", status, seconds, body)
            if room["items"]:
                op = {"op_id": str(uuid.uuid4()), "kind": "answer", "payload": {
                    "inspection_id": ward["inspection"], "room_id": room["id"], "item_id": rng.choice(room["items"]),
                    "value": "not_applicable", "na_reason": "not_present"}}  # valid for either item kind
                status, seconds, body = browser.post("/api/v1/ops", json.dumps(op).encode(), "application/json")
                tally.add("sync answer", status, seconds, body)
            if rounds % 4 == 0:
                op = {"op_id": str(uuid.uuid4()), "kind": "finding.create", "payload": {
                    "inspection_id": ward["inspection"], "room_id": room["id"], "client_id": str(uuid.uuid4()),
                    "category": "Door furniture", "description": f"Bench point {seed}-{rounds}", "grade": "2x3"}}
                data, ctype = multipart({"op": json.dumps(op)}, [("photos", rng.choice(pictures))])
                status, seconds, body = browser.post("/api/v1/ops", data, ctype)
                tally.add("ligature point + photo", status, seconds, body)
                if status == 201:
                    last_finding = json.loads(body)["result"]["finding_id"]
            if rounds % 8 == 0 and last_finding:
                op = {"op_id": str(uuid.uuid4()), "kind": "photo.add", "payload": {
                    "finding_id": last_finding, "photo_uuid": str(uuid.uuid4())}}
                data, ctype = multipart({"op": json.dumps(op)}, [("photo", rng.choice(pictures))])
                status, seconds, body = browser.post("/api/v1/ops", data, ctype)
                tally.add("photo upload", status, seconds, body)
    except Exception as exc:  # noqa: BLE001 - a broken connection is an error to count, not a crash
        tally.add("connection", 599, 0.0, repr(exc).encode())


HASH_PROBE = """
import sys
from pathlib import Path
from argon2 import PasswordHasher
before = int(next(l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM')).split()[1])
PasswordHasher(time_cost=int(sys.argv[1]), memory_cost=int(sys.argv[2]), parallelism=int(sys.argv[3])).hash('x' * 16)
after = int(next(l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM')).split()[1])
print(before, after)
"""


def hash_memory() -> None:
    """Peak RSS of a fresh process before and after one Argon2id hash, old and new parameters."""
    import subprocess
    import sys

    from inspect_app.auth import passwords

    for label, params in (("argon2-cffi default (64 MiB, t=3, p=4)", (3, 65536, 4)),
                          ("now (OWASP minimum)", (passwords.TIME_COST, passwords.MEMORY_KIB, passwords.PARALLELISM))):
        out = subprocess.run([sys.executable, "-c", HASH_PROBE, *map(str, params)], capture_output=True, text=True,
                             check=True).stdout.split()
        before, after = (int(x) / 1024 for x in out)
        print(f"one sign-in hash, {label}: peak RSS {before:.0f} -> {after:.0f} MB (+{after - before:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--servers", type=int, default=1, help="app servers (more than 1 implies --cluster)")
    parser.add_argument("--cluster", action="store_true", help="PostgreSQL + S3 + Redis from scripts/cluster.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wsi-load-") as tmp, contextlib.ExitStack() as stack:
        cluster = None
        if args.cluster or args.servers > 1:
            cluster = stack.enter_context(Cluster(args.servers, args.workers, oidc=False,
                                                  extra_env={"RATELIMIT_ENABLED": "0"}))
            env = {**environment(Path(tmp)), **cluster.env, "DATABASE_URL": cluster.pg.url}
            bases = [app.base for app in cluster.apps]
            setup = f"cluster: {args.servers} app servers, PostgreSQL, SeaweedFS (S3), Redis"
        else:
            env, bases, setup = environment(Path(tmp)), [], f"database: {environment(Path(tmp))['DATABASE_URL'].split('@')[-1]}"
        print(f"{setup}  gunicorn workers per server: {args.workers}  inspectors: {args.users}  "
              f"duration: {args.seconds} s")
        hash_memory()
        wards, pictures = prepare(env), photos()
        tally = Tally()
        with (contextlib.nullcontext() if bases else Gunicorn(env, workers=args.workers)) as server:
            bases = bases or [server.base]
            started = time.monotonic()
            stop = started + args.seconds
            threads = [threading.Thread(target=inspector, args=(bases, wards[n % len(wards)], pictures, stop,
                                                                  tally, n)) for n in range(args.users)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            masters = [app.process.pid for app in cluster.apps] if server is None else [server.process.pid]
            memory = [row for pid in masters for row in worker_memory(pid)]
    every = [s for values in tally.latency.values() for s in values]
    errors = sum(tally.errors.values())
    print(f"\n{len(every)} requests in {elapsed:.1f} s: {len(every) / elapsed:.1f} requests/s, errors: {errors}")
    print(f"{'request':26} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind in sorted(tally.latency, key=lambda k: -len(tally.latency[k])) + ["all"]:
        values = every if kind == "all" else tally.latency[kind]
        print(f"{kind:26} {len(values):6d} {percentile(values, 50) * 1000:8.0f} {percentile(values, 95) * 1000:8.0f} "
              f"{percentile(values, 99) * 1000:8.0f} {errors if kind == 'all' else tally.errors[kind]:7d}")
    for line in tally.examples:
        print("  error:", line)
    # every inspector signs in at once at the start: the peak covers that burst of Argon2 hashes
    print(f"worker memory (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}): " + ", ".join(
        f"pid {pid} RSS {rss / 1024:.0f} MB peak {peak / 1024:.0f} MB" for pid, rss, peak in memory))
    if memory:
        print(f"peak worker RSS: {max(p for _, _, p in memory) / 1024:.0f} MB")
    print("PASS: 0 errors" if errors == 0 else f"FAIL: {errors} errors")


if __name__ == "__main__":
    main()
