"""Median latency of the key pages against /healthz in the same run, with 2,000 open actions.

    source .ci/pg_throwaway.sh; pg_up          # a throwaway PostgreSQL (as root)
    .venv/bin/python bench/pages.py [--actions 2000] [--rounds 40] [--workers 2]
    pg_down

Seeds the demo trust plus ``--actions`` open remediation actions spread over every ward and
room (recorded and graded through the real services), starts gunicorn, signs in as each role
and requests, round-robin so load drifts affect all alike: the ward overview (an inspection's
overview page) and a room page as the inspector, the ward manager's action list, the patient
safety lead's dashboard, and /healthz. Target: each page's median <= 3x /healthz's median.
Prints figures; exits 0 unless it crashes.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from harness import Browser, Gunicorn, app_for, environment, migrate_and_seed, percentile, refresh_statistics

TARGET_RATIO = 3.0


def prepare(env, count: int) -> dict:
    """Open actions up to ``count`` (graded through the services); returns ids for the page URLs."""
    from sqlalchemy import func, select

    from inspect_app.actions import services as actions
    from inspect_app.actions.models import Action
    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.estates.models import Room, Ward
    from inspect_app.extensions import db
    from inspect_app.findings import services as findings
    from inspect_app.inspections import services as inspections

    app = app_for(env)
    migrate_and_seed(app)
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        now = utcnow()
        wards = list(db.session.scalars(select(Ward).order_by(Ward.id)))
        plan = []
        for ward in wards:
            inspection = inspections.in_progress_for(ward.id) or inspections.start_inspection(
                ward=ward, inspection_type="annual", team=["Bench"], by=inspector, now=now)
            rooms = list(db.session.scalars(select(Room).where(Room.ward_id == ward.id, Room.active.is_(True))))
            plan.append((inspection, rooms))
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(Action))
        grades = [(3, 3), (4, 3), (2, 4), (3, 4), (4, 5), (2, 3)]
        for n in range(have, count):
            inspection, rooms = plan[n % len(plan)]
            room = rooms[(n // len(plan)) % len(rooms)]
            likelihood, consequence = grades[n % len(grades)]
            finding = findings.record_finding(inspection=inspection, room=room, category="Door furniture",
                                              description=f"Bench point {n}", likelihood=likelihood,
                                              consequence=consequence, by=inspector, now=now)
            actions.ensure_action(finding, by=inspector, now=now)
            if n % 200 == 0:
                db.session.commit()
        db.session.commit()
        open_actions = db.session.scalar(select(func.count()).select_from(Action).where(Action.closed_at.is_(None)))
        inspection, rooms = plan[0]
        ids = {"inspection": inspection.id, "room": rooms[0].id, "open_actions": open_actions}
        db.engine.dispose()
    refresh_statistics(app)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wsi-pages-") as tmp:
        env = environment(Path(tmp))
        started = time.monotonic()
        ids = prepare(env, args.actions)
        print(f"database: {env['DATABASE_URL'].split('@')[-1]}  open actions: {ids['open_actions']}  "
              f"(seeded in {time.monotonic() - started:.0f} s)  gunicorn workers: {args.workers}")
        with Gunicorn(env, workers=args.workers) as server:
            users = {role: Browser(server.base) for role in ("inspector", "manager", "safety")}
            for role, browser in users.items():
                browser.sign_in(f"{role}@demo.nhs.test")
            pages = {
                "/healthz": (users["inspector"], "/healthz"),
                "ward overview (inspection)": (users["inspector"], f"/inspections/{ids['inspection']}"),
                "room page": (users["inspector"], f"/inspections/{ids['inspection']}/rooms/{ids['room']}"),
                "ward manager action list": (users["manager"], "/actions/"),
                "safety lead dashboard": (users["safety"], "/dashboard/"),
            }
            timings: dict[str, list[float]] = {name: [] for name in pages}
            sizes: dict[str, int] = {}
            for browser, path in pages.values():  # warm-up: templates compiled, connections pooled
                browser.get(path)
            for _ in range(args.rounds):
                for name, (browser, path) in pages.items():
                    status, seconds, body = browser.get(path)
                    if status != 200:
                        raise SystemExit(f"{name}: HTTP {status}")
                    timings[name].append(seconds)
                    sizes[name] = len(body)
    base = statistics.median(timings["/healthz"])
    print(f"\n{'page':28} {'median ms':>10} {'p95 ms':>8} {'x healthz':>10} {'KB':>6}")
    worst = 0.0
    for name, values in timings.items():
        ratio = statistics.median(values) / base
        worst = max(worst, ratio)
        print(f"{name:28} {statistics.median(values) * 1000:10.1f} {percentile(values, 95) * 1000:8.1f} "
              f"{ratio:10.2f} {sizes[name] / 1024:6.0f}")
    print(f"PASS: every page <= {TARGET_RATIO:.0f}x /healthz" if worst <= TARGET_RATIO
          else f"FAIL: the slowest page is {worst:.1f}x /healthz (target {TARGET_RATIO:.0f}x)")


if __name__ == "__main__":
    main()
