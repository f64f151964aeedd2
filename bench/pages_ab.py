"""The key pages of two checkouts side by side: one gunicorn each on the same database, every request
sent to both in turn, so both see the same load (a shared box's load drifts between separate runs).

    git archive <commit> | tar -x -C /tmp/before
    source .ci/pg_throwaway.sh; pg_up
    .venv/bin/python bench/pages.py --actions 20000 --wards 60 --history 180000 --rounds 5   # seed once
    .venv/bin/python bench/pages_ab.py /tmp/before [--dense] [--rounds 60]
    pg_down

The database must be at this checkout's migration head (``pages.py`` seeds it so); the older
checkout runs on it as it is. Prints each page's median ms and its ratio to the same server's
/healthz, before and after, and the load average at the start and end.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from harness import REPO, Browser, Gunicorn, app_for, environment
from pages import describe


class Checkout(Gunicorn):
    """gunicorn serving ``repo``'s code (its wsgi.py and gunicorn.conf.py)."""

    def __init__(self, env: dict[str, str], repo: Path):
        super().__init__(env, workers=2)
        self.repo = repo

    def __enter__(self) -> Checkout:
        env = {**self.env, "WEB_CONCURRENCY": "2", "BIND": f"127.0.0.1:{self.port}", "PYTHONPATH": str(self.repo)}
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                                         "--log-level", "warning", "wsgi:app"], cwd=self.repo, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start in {self.repo}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the older checkout (a directory holding wsgi.py)")
    parser.add_argument("--dense", action="store_true", help="measure the manager's ward (as pages.py --dense)")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wsi-pages-ab-") as tmp:
        env = environment(Path(tmp))
        ids = describe(app_for(env), args.dense)
        pages = {"/healthz": ("inspector", "/healthz"),
                 "ward overview": ("inspector", f"/inspections/{ids['inspection']}"),
                 "room page": ("inspector", f"/inspections/{ids['inspection']}/rooms/{ids['room']}"),
                 "manager's list": ("manager", "/actions/"), "dashboard": ("safety", "/dashboard/")}
        sides = {"before": args.before.resolve(), "after": REPO}
        with Checkout(env, sides["before"]) as old, Checkout(env, sides["after"]) as new:
            users = {}
            for side, server in (("before", old), ("after", new)):
                for role in ("inspector", "manager", "safety"):
                    users[(side, role)] = Browser(server.base)
                    users[(side, role)].sign_in(f"{role}@demo.nhs.test")
            timings = {(side, name): [] for side in sides for name in pages}
            for side in sides:  # warm-up: templates compiled, statements prepared
                for role, path in pages.values():
                    for _ in range(6):
                        users[(side, role)].get(path)
            load_start = os.getloadavg()[0]
            for _ in range(args.rounds):
                for name, (role, path) in pages.items():
                    for side in sides:
                        status, seconds, _ = users[(side, role)].get(path)
                        if status != 200:
                            raise SystemExit(f"{side} {name}: HTTP {status}")
                        timings[(side, name)].append(seconds)
            load_end = os.getloadavg()[0]
    print(f"{'page':16} {'before ms':>10} {'x':>6} {'after ms':>10} {'x':>6}")
    for name in pages:
        cells = []
        for side in sides:
            median = statistics.median(timings[(side, name)])
            cells += [median * 1000, median / statistics.median(timings[(side, "/healthz")])]
        print(f"{name:16} {cells[0]:10.1f} {cells[1]:6.2f} {cells[2]:10.1f} {cells[3]:6.2f}")
    print(f"rounds {args.rounds}; load average {load_start:.2f} at the start, {load_end:.2f} at the end")


if __name__ == "__main__":
    main()
