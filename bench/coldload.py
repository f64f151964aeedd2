"""Bytes a cold first load of a room page costs in Chromium: the page and what it loads, and
what the service worker fetches when it installs, counted separately.

    .venv/bin/python bench/coldload.py [--points 10] [--workers 1]

Seeds a throwaway database (SQLite unless DATABASE_URL is set) with the demo trust and a room
holding ``--points`` ligature points, each with a photo (Pillow JPEGs stored through the real
photo pipeline), starts gunicorn, signs in without loading any page (a POST from the browser
context, so the HTTP cache stays empty), then opens the room page in a fresh Chromium profile and
waits until the service worker is active and the network is idle. Sizes are what crossed the
wire (encoded bodies plus headers, from Chromium's own accounting), for the page's requests
and for the service worker's. Target: total <= 150 KB. Prints figures; exits 0 unless it crashes.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import re
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

from harness import Gunicorn, app_for, environment, migrate_and_seed  # noqa: E402

TARGET_KB = 150
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def _photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (1600, 1200), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(120):
        x, y = rng.randrange(1600), rng.randrange(1200)
        draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)),
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def prepare(env, points: int) -> str:
    """A room with ``points`` photographed points; returns the room page's path."""
    from sqlalchemy import select

    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.estates.models import Room, Ward
    from inspect_app.extensions import db
    from inspect_app.findings import services as findings
    from inspect_app.inspections import services as inspections
    from inspect_app.photos.services import store_photo

    app = app_for(env)
    migrate_and_seed(app)
    with app.app_context():
        inspector = db.session.scalar(select(User).where(User.email == "inspector@demo.nhs.test"))
        ward = db.session.scalar(select(Ward).order_by(Ward.id))
        now = utcnow()
        inspection = inspections.start_inspection(ward=ward, inspection_type="annual", team=["Bench"],
                                                  by=inspector, now=now)
        room = db.session.scalar(select(Room).where(Room.ward_id == ward.id).order_by(Room.id))
        for n in range(points):
            finding = findings.record_finding(inspection=inspection, room=room, category="Door furniture",
                                              description=f"Bench point {n}", likelihood=3, consequence=4,
                                              by=inspector, now=now)
            store_photo(_photo(n), ward_id=ward.id, by=inspector, now=now, finding=finding)
        db.session.commit()
        path = f"/inspections/{inspection.id}/rooms/{room.id}"
        db.engine.dispose()
    return path


def measure(base: str, path: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 768, "height": 1024})
        login = context.request.get(f"{base}/login").text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        signed = context.request.post(f"{base}/login", form={"email": "inspector@demo.nhs.test",
                                                             "password": "ward-demo-pass", "csrf_token": token},
                                      max_redirects=0)
        assert signed.status == 302, signed.status
        seen: list = []
        context.on("requestfinished", lambda request: seen.append(request))
        page = context.new_page()
        page.goto(base + path, wait_until="load")
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        time.sleep(1.0)  # the last precache responses
        page.wait_for_load_state("networkidle")
        cold = len(seen)
        # then scroll to the end: the lazy thumbnails below the fold load now (reported apart)
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        time.sleep(1.0)
        page.wait_for_load_state("networkidle")
        totals = {"page": [0, 0], "service worker": [0, 0], "scrolled": [0, 0]}
        rows = []
        for n, request in enumerate(seen):
            sizes = request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            origin = "scrolled" if n >= cold else "service worker" if request.service_worker is not None else "page"
            totals[origin][0] += size
            totals[origin][1] += 1
            response = request.response()
            rows.append((origin, size, response.headers.get("content-encoding", "") if response else "",
                         request.url.replace(base, "")))
        browser.close()
    return {"totals": totals, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--list", action="store_true", help="print every request")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wsi-cold-") as tmp:
        env = environment(Path(tmp))
        path = prepare(env, args.points)
        with Gunicorn(env, workers=args.workers) as server:
            result = measure(server.base, path)
    if args.list:
        for origin, size, encoding, url in sorted(result["rows"]):
            print(f"  {origin:15} {size / 1024:7.1f} KiB {encoding:5} {url[:90]}")
    page, worker = result["totals"]["page"], result["totals"]["service worker"]
    total = (page[0] + worker[0]) / 1000
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; room page with {args.points} points")
    print(f"page: {page[0] / 1000:.1f} KB in {page[1]} requests; service worker install: "
          f"{worker[0] / 1000:.1f} KB in {worker[1]} requests; total {total:.1f} KB")
    print(f"scrolling to the end then loads {result['totals']['scrolled'][0] / 1000:.1f} KB more in "
          f"{result['totals']['scrolled'][1]} requests (lazy thumbnails below the fold)")
    print(f"{'PASS' if total <= TARGET_KB else 'FAIL'}: cold first load {total:.1f} KB (target <= {TARGET_KB} KB)")


if __name__ == "__main__":
    main()
