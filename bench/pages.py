"""Median latency of the key pages against /healthz in the same run, at a given size of open
work and history.

    source .ci/pg_throwaway.sh; pg_up          # a throwaway PostgreSQL (as root)
    .venv/bin/python bench/pages.py [--actions 2000] [--wards 6] [--history 0] [--dense] [--rounds 40]
    .venv/bin/python bench/pages.py --actions 20000 --wards 60 --history 180000   # a big trust, years on
    .venv/bin/python bench/pages.py --actions 6000 --dense                        # one manager's dense wards
    .venv/bin/python bench/pages.py --dense --prepared    # the same database again, nothing more seeded
    pg_down

Seeds the demo trust, then (``--wards``) adds wards (copies of a demo ward's rooms) up to that
number, an inspection in progress on each, and ``--actions`` open remediation actions with their
graded points spread over every ward and room, or with ``--dense`` all on the ward manager's two
wards (Larch and Willow). ``--history`` adds that many closed actions with fixed points in past
signed-off inspections, closing dates spread over five years. Points and actions are inserted in
bulk (``inspect_app/demo/history.py``: INSERT ... SELECT over a number series), then ANALYZE.
Starts gunicorn, signs in as each role and requests, round-robin so load drifts affect all alike:
the ward overview (an inspection's overview page) and a room page as the inspector, the ward
manager's action list (first page and a later one), the patient safety lead's dashboard, and
/healthz. Target: each page's median <= 3x /healthz's median. Prints the ratio per page and the
load average; exits 0 unless it crashes.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from harness import Browser, Gunicorn, app_for, environment, migrate_and_seed, percentile, refresh_statistics

TARGET_RATIO = 3.0


def prepare(env, count: int, wards_wanted: int, history: int, dense: bool) -> dict:
    """Wards, open actions and history as asked; returns ids for the page URLs."""
    from sqlalchemy import func, select

    from inspect_app.actions import tallies
    from inspect_app.actions.models import Action, DueTally, LiveTally
    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.demo.history import add_history, add_open
    from inspect_app.estates.models import Room, Ward
    from inspect_app.extensions import db
    from inspect_app.inspections import services as inspections

    app = app_for(env)
    migrate_and_seed(app)
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        now = utcnow()
        wards = list(db.session.scalars(select(Ward).order_by(Ward.id)))
        model = wards[0]
        for n in range(len(wards), wards_wanted):
            ward = Ward(site_id=model.site_id, name=f"Bench Ward {n + 1}", patient_group=model.patient_group,
                        bed_count=model.bed_count)
            db.session.add(ward)
            db.session.flush()
            for room in model.rooms:
                db.session.add(Room(ward_id=ward.id, name=room.name, area_type_id=room.area_type_id, tier=room.tier,
                                    floor=room.floor, position=room.position))
            wards.append(ward)
        db.session.flush()
        plan = {}
        for ward in wards:
            inspection = inspections.in_progress_for(ward.id) or inspections.start_inspection(
                ward=ward, inspection_type="annual", team=["Bench"], by=inspector, now=now)
            plan[ward.id] = inspection
        db.session.commit()
        if history:
            add_history(per_ward=history // len(wards), now=now)
            db.session.commit()
        targets = [w for w in wards if w.name in ("Larch Ward", "Willow Ward")] if dense else wards
        have = db.session.scalar(select(func.count()).select_from(Action).where(Action.status != "closed"))
        for n, ward in enumerate(targets):
            share = (count - have) // len(targets) + (1 if n < (count - have) % len(targets) else 0)
            if share > 0:
                add_open(inspection_id=plan[ward.id].id, ward_id=ward.id, count=share, now=now, recount=False)
        tallies.rebuild((LiveTally, DueTally))  # the maintained open counts, once for every ward
        db.session.commit()
        db.engine.dispose()
    refresh_statistics(app)
    return describe(app, dense)


def describe(app, dense: bool) -> dict:
    """Ids for the page URLs and the size of what is seeded, from a database :func:`prepare` filled
    (``--prepared`` measures the same database again without seeding more)."""
    from sqlalchemy import func, select

    from inspect_app.actions.models import Action
    from inspect_app.estates.models import Room, Ward
    from inspect_app.extensions import db
    from inspect_app.findings.models import Finding
    from inspect_app.inspections import services as inspections

    with app.app_context():
        wards = list(db.session.scalars(select(Ward).order_by(Ward.id)))
        first = next(w for w in wards if w.name in ("Larch Ward", "Willow Ward")) if dense else wards[0]
        open_actions = db.session.scalar(select(func.count()).select_from(Action).where(Action.status != "closed"))
        closed = db.session.scalar(select(func.count()).select_from(Action).where(Action.status == "closed"))
        room = db.session.scalar(select(Room.id).where(Room.ward_id == first.id, Room.active.is_(True))
                                 .order_by(Room.position, Room.id))
        points = db.session.scalar(select(func.count()).select_from(Finding).where(
            Finding.room_id == room, Finding.state == "present"))
        ids = {"inspection": inspections.in_progress_for(first.id).id, "room": room, "open_actions": open_actions,
               "closed": closed, "wards": len(wards), "room_points": points}
        db.engine.dispose()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=2000, help="open actions")
    parser.add_argument("--wards", type=int, default=6, help="wards to spread them over (demo has 6)")
    parser.add_argument("--history", type=int, default=0, help="closed actions in past inspections")
    parser.add_argument("--dense", action="store_true", help="every open action on the manager's two wards")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--prepared", action="store_true",
                        help="measure a database an earlier run seeded (same DATABASE_URL and shape) without seeding more")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wsi-pages-") as tmp:
        env = environment(Path(tmp))
        started = time.monotonic()
        ids = (describe(app_for(env), args.dense) if args.prepared
               else prepare(env, args.actions, args.wards, args.history, args.dense))
        print(f"database: {env['DATABASE_URL'].split('@')[-1]}  wards: {ids['wards']}  open actions: "
              f"{ids['open_actions']}{' (dense: the manager' + chr(39) + 's two wards)' if args.dense else ''}  "
              f"closed: {ids['closed']}  points in the room measured: {ids['room_points']}  "
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
                "action list, next page": (users["manager"], None),
                "safety lead dashboard": (users["safety"], "/dashboard/"),
            }
            timings: dict[str, list[float]] = {name: [] for name in pages}
            sizes: dict[str, int] = {}
            # the list's second page, by the key the first page links to
            _, _, first_page = users["manager"].get("/actions/")
            found = re.search(rb'href="(/actions/\?[^"]*after=[^"]+)">Next page', first_page)
            if found:
                pages["action list, next page"] = (users["manager"], found.group(1).decode().replace("&amp;", "&"))
            else:
                del pages["action list, next page"]
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
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"PASS: every page <= {TARGET_RATIO:.0f}x /healthz" if worst <= TARGET_RATIO
          else f"FAIL: the slowest page is {worst:.1f}x /healthz (target {TARGET_RATIO:.0f}x)")


if __name__ == "__main__":
    main()
