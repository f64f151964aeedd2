"""Print photo-pipeline figures: server renditions (Pillow) and the in-browser downscale.

    .venv/bin/python bench/photos.py [--photos 20]

(a) times ``inspect_app.photos.imaging.process`` on 12 MP JPEGs against a naive
    ``Image.open + load + thumbnail((1600, 1600))`` run on the same files in the same run;
(b) drives /usr/bin/chromium through Playwright, feeds the same files to ``WSI.downscale``
    (static/js/downscale.js) through an <input type=file>, and reports the blobs it returns.

Targets: median <= 150 ms per photo on the server, <= 400 KB per browser blob.
A script that prints figures, not a test: it exits 0 unless something crashes.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from inspect_app.photos import imaging  # noqa: E402

WIDTH, HEIGHT = 4032, 3024  # 12 MP, as a phone stores it (landscape sensor)
TARGET_MS = 150
TARGET_BLOB_BYTES = 400 * 1024
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]  # fmt: skip
TEST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>downscale bench</title></head>
<body><input type="file" id="photos" multiple accept="image/*">
<script src="/static/js/downscale.js"></script></body></html>
"""
# Runs in the page: downscale file i and describe the blob that comes back.
DOWNSCALE_ONE = """async (i) => {
  const file = document.getElementById('photos').files[i];
  const started = performance.now();
  const blob = await WSI.downscale(file);
  const ms = performance.now() - started;
  const bitmap = await createImageBitmap(blob);
  const head = new Uint8Array(await blob.slice(0, 3).arrayBuffer());
  return {bytes: blob.size, type: blob.type, width: bitmap.width, height: bitmap.height, ms,
          jpeg: head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff, same: blob === file};
}"""


def make_photo(seed: int, orientation: int = 1) -> bytes:
    """A camera-like 12 MP JPEG (q90, about 3 MB): soft colour field, shapes, text, sensor noise."""
    rng = random.Random(seed)
    field = Image.new("RGB", (8, 6))
    field.putdata([tuple(rng.randrange(40, 220) for _ in range(3)) for _ in range(48)])
    im = field.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(im)
    for _ in range(40):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        box = (x, y, x + rng.randrange(80, 900), y + rng.randrange(80, 900))
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.choice(("rectangle", "ellipse", "line"))
        if shape == "rectangle":
            draw.rectangle(box, fill=colour, outline=(0, 0, 0), width=4)
        elif shape == "ellipse":
            draw.ellipse(box, fill=colour)
        else:
            draw.line(box, fill=colour, width=rng.randrange(3, 30))
    font = ImageFont.load_default(size=90)
    for line in range(6):
        xy = (rng.randrange(WIDTH - 1500), rng.randrange(HEIGHT - 200))
        draw.text(xy, f"Ward {seed} door hinge {line}", fill=(rng.randrange(256),) * 3, font=font)
    im = Image.blend(im, Image.effect_noise((WIDTH, HEIGHT), 28).convert("RGB"), 0.18)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenchCam"
    exif[ExifTags.Base.Model] = "12MP"
    if orientation != 1:
        exif[ExifTags.Base.Orientation] = orientation
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif)
    return buf.getvalue()


def _write_photo(args: tuple[Path, int]) -> Path:
    folder, seed = args
    # every third shot is a portrait taken with the phone turned (stored landscape + EXIF 6)
    path = folder / f"photo{seed:02d}{'-rot6' if seed % 3 == 0 else ''}.jpg"
    path.write_bytes(make_photo(seed, orientation=6 if seed % 3 == 0 else 1))
    return path


def naive_thumbnail(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    im.thumbnail((1600, 1600))
    return im


def _timed_ms(fn, *args) -> tuple[float, float]:
    """(wall, CPU) milliseconds. CPU time stays honest when other jobs share the two cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def bench_server(paths: list[Path]) -> dict:
    photos = [path.read_bytes() for path in paths]
    imaging.process(photos[0])  # warm-up: imports plugins, first allocations
    naive_thumbnail(photos[0])
    ours, naive, sizes = [], [], {}
    load_before = os.getloadavg()[0]
    for data in photos:  # interleaved, so machine noise hits both pipelines alike
        ours.append(_timed_ms(imaging.process, data))
        naive.append(_timed_ms(naive_thumbnail, data))
    for data in photos[:5]:
        for name, rendition in imaging.process(data).renditions.items():
            sizes.setdefault(name, []).append(len(rendition.data))
    upright = imaging.process(next(d for p, d in zip(paths, photos, strict=False) if "rot6" in p.name))
    return {
        "ours": ours, "naive": naive, "sizes": sizes,
        "input_kb": statistics.median(len(d) for d in photos) / 1024,
        "rot6_large": (upright.width, upright.height),
        "load": (load_before, os.getloadavg()[0]),
    }  # fmt: skip


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


def bench_browser(paths: list[Path]) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="wsi-page-") as page_dir:
        (Path(page_dir) / "index.html").write_text(TEST_PAGE)
        (Path(page_dir) / "static").symlink_to(REPO / "inspect_app" / "static")
        handler = functools.partial(_QuietHandler, directory=page_dir)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page()
                    page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
                    page.wait_for_function("typeof window.WSI?.downscale === 'function'")
                    small = paths[0].parent / "small.jpg"
                    small.write_bytes(imaging.process(paths[0].read_bytes()).renditions["report"].data)
                    junk = paths[0].parent / "notes.jpg"
                    junk.write_text("not a photo")
                    page.set_input_files("#photos", [str(p) for p in [*paths, small, junk]])
                    page.evaluate(DOWNSCALE_ONE, 1)  # warm-up
                    blobs = [page.evaluate(DOWNSCALE_ONE, i) for i in range(len(paths))]
                    small_result = page.evaluate(DOWNSCALE_ONE, len(paths))
                    junk_error = page.evaluate(
                        "(i) => WSI.downscale(document.getElementById('photos').files[i])"
                        ".then(() => null, (e) => e.message)",
                        len(paths) + 1,
                    )
                    version = browser.version
                finally:
                    browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return {"blobs": blobs, "small": small_result, "junk_error": junk_error, "version": version,
            "rotated": [b for b, p in zip(blobs, paths, strict=False) if "rot6" in p.name]}  # fmt: skip


def _stats(values: list[float], unit: str = "ms") -> str:
    return "   ".join(
        f"{label} {value:6.1f} {unit}"
        for label, value in (("median", statistics.median(values)), ("p90", _p90(values)),
                             ("min", min(values)), ("max", max(values)))
    )  # fmt: skip


def report_server(r: dict) -> list[tuple[str, bool]]:
    print(f"\n(a) imaging.process on {len(r['ours'])} photos of {WIDTH}x{HEIGHT} "
          f"(median input {r['input_kb']:.0f} KB), one core; "
          f"load average {r['load'][0]:.2f} before, {r['load'][1]:.2f} after")  # fmt: skip
    for label, runs in (("process()", r["ours"]), ("naive open+load+thumbnail((1600,1600))", r["naive"])):
        print(f"    {label}")
        print(f"        wall  {_stats([wall for wall, _cpu in runs])}")
        print(f"        CPU   {_stats([cpu for _wall, cpu in runs])}")
    wall = statistics.median(wall for wall, _cpu in r["ours"])
    cpu = statistics.median(cpu for _wall, cpu in r["ours"])
    ratio = statistics.median(cpu for _wall, cpu in r["naive"]) / cpu
    print(f"    process() is {ratio:.2f}x faster than the naive resize (which does not even encode)")
    for name, sizes in r["sizes"].items():
        print(f"    {name:7s} rendition: median {statistics.median(sizes) / 1024:6.1f} KB")
    print(f"    Orientation=6 photo -> large {r['rot6_large'][0]}x{r['rot6_large'][1]}")
    return [
        (f"server: median {cpu:.0f} ms CPU (wall {wall:.0f}) per photo <= {TARGET_MS} ms", cpu <= TARGET_MS),
        ("server: EXIF-6 photo comes out 1200x1600", r["rot6_large"] == (1200, 1600)),
    ]


def report_browser(r: dict) -> list[tuple[str, bool]]:
    blobs = r["blobs"]
    biggest = max(b["bytes"] for b in blobs)
    shapes = ", ".join(f"{w}x{h}" for w, h in sorted({(b["width"], b["height"]) for b in blobs}))
    print(f"\n(b) WSI.downscale in headless Chromium {r['version']} (--disable-gpu), {len(blobs)} photos")
    print(f"    blob size     {_stats([b['bytes'] / 1024 for b in blobs], 'KB')}")
    print(f"    time in page  {_stats([b['ms'] for b in blobs])}")
    print(f"    dimensions {shapes}; types {sorted({b['type'] for b in blobs})}")
    small = r["small"]
    print(f"    small JPEG ({small['bytes'] / 1024:.0f} KB, 800 px) returned unchanged: {small['same']}")
    print(f"    text file named .jpg rejected with: {r['junk_error']!r}")
    return [
        (f"browser: biggest blob {biggest / 1024:.0f} KB <= {TARGET_BLOB_BYTES // 1024} KB",
         biggest <= TARGET_BLOB_BYTES),
        ("browser: blobs are JPEGs with a 1600 px long edge",
         all(b["jpeg"] and max(b["width"], b["height"]) == 1600 for b in blobs)),
        ("browser: EXIF-6 photos come out 1200x1600",
         all((b["width"], b["height"]) == (1200, 1600) for b in r["rotated"])),
        ("browser: small JPEG passed through untouched", r["small"]["same"]),
        ("browser: junk file rejected with a message", bool(r["junk_error"])),
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=20, help="number of distinct 12 MP photos")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wsi-photos-") as folder:
        with ProcessPoolExecutor(max_workers=2) as pool:
            paths = list(pool.map(_write_photo, [(Path(folder), seed) for seed in range(args.photos)]))
        print(f"generated {len(paths)} JPEGs in {time.perf_counter() - started:.1f} s "
              f"({sum('rot6' in p.name for p in paths)} with EXIF Orientation=6)")  # fmt: skip
        checks = report_server(bench_server(paths))
        if Path(CHROMIUM).exists():
            checks += report_browser(bench_browser(paths))
        else:
            print(f"\n(b) skipped: {CHROMIUM} is not installed")
    print("\nSummary")
    for label, ok in checks:
        print(f"    {'PASS' if ok else 'FAIL'}  {label}")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
