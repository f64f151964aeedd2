"""Inspection report build, end to end through the app, against WeasyPrint on the same content.

    .venv/bin/python bench/pdf.py [--findings 300] [--runs 3] [--keep DIR]
    .venv/bin/python bench/pdf.py --findings 300 1000 --sources 300 --no-weasyprint   # memory flat?

1. Generates ``--findings`` distinct 12-megapixel JPEGs (4032x3024, q90, camera-like noise)
   with Pillow in 2 processes, cached under ``/tmp/wsi-bench-photos`` so reruns skip it.
2. Builds a temporary SQLite database (migrated schema, the demo trust), an inspection of
   Larch Ward with that many graded ligature points spread over 30 rooms, and stores one
   photo per point through ``photos.services.store_photo`` (which runs ``imaging.process``)
   in 2 worker processes; the inspection is then signed off through the service.
3. Times the report build -- ``reports.collect.inspection_report`` from the database plus
   ``reports.pdf.render_inspection`` -- as the median of ``--runs`` runs, each in a fresh
   process (app booted and engine imported before the timer, as in a running server), and
   prints seconds, the child's peak RSS (and its rise during the build), size and pages.
4. In the same run renders the report's HTML page (``templates/reports/inspection.html``,
   the app's own print stylesheet) with WeasyPrint, same content, tuned the way a competent
   user would: ``table-layout: fixed`` on every table, photos by ``file://`` URL of the same
   800 px renditions (nothing re-encoded), and the ReportLab document's margins, type sizes and
   card geometry (``bench/pdf_setup.TUNING``), so both hold about the same findings per page.
   Same timing method. Prints both page counts and findings per page; the speed and memory
   ratios only when the page counts are within 5 % of each other (otherwise the documents are
   not alike and a ratio would mislead: it says so and prints none).

Targets: <= 5 s, <= 200 MB, <= 30 MB, >= 5x faster than WeasyPrint with <= half its memory.
With several ``--findings`` sizes (each its own database) it prints ms per finding (wall, and the
build process's CPU time, which other jobs on a shared box disturb less) and peak RSS per size;
targets: <= 5 ms per finding and <= 150 MB peak at 1,000 findings (memory flat in the number of
findings). ``--sources N`` makes only N distinct photos and reuses them in turn (each
point still stores its own renditions; the PDF embeds the 800 px rendition whatever the source
size), ``--source-px W`` makes them W pixels wide, ``--no-weasyprint`` skips the comparison.
WeasyPrint is a bench-only dependency (bench/requirements.txt). Exits 0 unless it crashes.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pdf_setup import build_database, generate_photos, set_size  # noqa: E402

PHOTO_CACHE = Path("/tmp/wsi-bench-photos")
TARGETS = {"seconds": 5.0, "rss_mb": 200.0, "size_mb": 30.0, "speedup": 5.0, "memory_share": 0.5}
PAGE_TOLERANCE = 0.05  # the two documents are compared only when their page counts are this close

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from bench.pdf_setup import child_prepare, reset_peak, rss_mb
build = child_prepare({engine!r}, {workdir!r})
before = rss_mb()
reset_peak()
start, cpu = time.perf_counter(), time.process_time()
build({out!r})
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = rss_mb("VmHWM")
print(json.dumps({{"seconds": seconds, "cpu_seconds": cpu, "rss_mb": peak, "build_mb": peak - before}}))
"""


def run_child(engine: str, workdir: Path, out: Path) -> dict:
    code = CHILD.format(root=str(ROOT), engine=engine, workdir=str(workdir), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{engine} build failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def measure(engine: str, workdir: Path, runs: int) -> dict:
    out = workdir / f"{engine}.pdf"
    results = [run_child(engine, workdir, out) for _ in range(runs)]
    return {"seconds": statistics.median(r["seconds"] for r in results),
            "all_seconds": [round(r["seconds"], 2) for r in results],
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in results),
            "rss_mb": statistics.median(r["rss_mb"] for r in results),
            "build_mb": statistics.median(r["build_mb"] for r in results),
            "size_mb": out.stat().st_size / 1e6, "pages": pages(out)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, nargs="+", default=[300])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sources", type=int, help="distinct photos to make (default: one per finding)")
    parser.add_argument("--source-px", type=int, default=4032, help="source photo width (default 4032, 12 MP)")
    parser.add_argument("--no-weasyprint", action="store_true", help="time the ReportLab build only")
    parser.add_argument("--keep", type=Path, help="keep each size's database, photos and PDFs in DIR/<findings> "
                                                  "(and reuse them on the next run)")
    args = parser.parse_args()
    set_size(args.source_px)
    started = time.perf_counter()
    with Pool(2) as pool:
        distinct = generate_photos(PHOTO_CACHE, args.sources or max(args.findings), pool)
    print(f"photos: {len(distinct)} distinct {args.source_px}px JPEGs "
          f"({sum(p.stat().st_size for p in distinct) / 1e6:.0f} MB), ready after {time.perf_counter() - started:.1f} s")
    results = {}
    for count in args.findings:
        sources = [distinct[n % len(distinct)] for n in range(count)]
        results[count] = one_size(args, count, sources)
    if len(results) > 1 or args.no_weasyprint:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nReportLab build per size (load average {load}):")
        print(f"{'findings':>9}{'seconds':>9}{'ms/finding':>12}{'CPU ms/finding':>16}{'peak RSS':>11}"
              f"{'of which build':>16}{'PDF':>9}{'pages':>7}  runs")
        for count, r in results.items():
            print(f"{count:>9}{r['seconds']:>8.2f}s{r['seconds'] * 1000 / count:>12.2f}"
                  f"{r['cpu_seconds'] * 1000 / count:>16.2f}{r['rss_mb']:>8.0f} MB"
                  f"{r['build_mb']:>13.0f} MB{r['size_mb']:>6.1f} MB{r['pages']:>7}  {r['all_seconds']}")
        print("(medians of fresh processes; CPU: the build process's own CPU time, which other work on a shared "
              "box disturbs less than the wall clock; the targets are judged on wall time)")
        for count, r in results.items():
            per = r["seconds"] * 1000 / count
            print(f"{'PASS' if per <= 5 else 'FAIL'}  {count} findings: {per:.2f} ms per finding <= 5 ms")
            if count >= 1000:
                print(f"{'PASS' if r['rss_mb'] <= 150 else 'FAIL'}  {count} findings: peak RSS "
                      f"{r['rss_mb']:.0f} MB <= 150 MB")


def one_size(args, count: int, sources: list[Path]) -> dict:
    holder = tempfile.TemporaryDirectory(prefix="wsi-bench-pdf-") if args.keep is None else None
    workdir = Path(holder.name) if holder else args.keep / str(count)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if (workdir / "inspection_id").is_file():
        print(f"database: reusing {workdir} (delete it to rebuild)")
    else:
        summary = build_database(workdir, sources)
        print(f"database: {summary} in {time.perf_counter() - started:.1f} s (store_photo in 2 processes)")
    print(f"ReportLab build of {count} findings (collect + render), median of {args.runs} fresh processes ...",
          flush=True)
    rl = measure("reportlab", workdir, args.runs)
    if not args.no_weasyprint:
        compare(args, workdir, rl, count)
    if holder:
        holder.cleanup()
    return rl


def compare(args, workdir: Path, rl: dict, findings: int) -> None:
    import weasyprint

    print(f"WeasyPrint {weasyprint.__version__} build (collect + HTML page + write_pdf), "
          f"median of {args.runs} fresh processes ...", flush=True)
    wp = measure("weasyprint", workdir, args.runs)
    print()
    print(f"{'engine':<12}{'seconds':>9}{'runs':>22}{'peak RSS':>11}{'of which build':>16}{'PDF':>10}{'pages':>7}")
    for name, r in (("ReportLab", rl), ("WeasyPrint", wp)):
        print(f"{name:<12}{r['seconds']:>8.2f}s{str(r['all_seconds']):>22}{r['rss_mb']:>8.0f} MB"
              f"{r['build_mb']:>13.0f} MB{r['size_mb']:>7.1f} MB{r['pages']:>7}")
    print("(peak RSS: the whole process during the build, app booted and engine imported; "
          "'of which build': the rise above its RSS just before)")
    print(f"Pango {weasyprint_pango()} (Debian)")
    alike, gap = pages_alike(rl["pages"], wp["pages"])
    print(f"\npages: ReportLab {rl['pages']}, WeasyPrint {wp['pages']} ({gap:+.1%}); findings per page "
          f"{findings / rl['pages']:.2f} and {findings / wp['pages']:.2f}")
    checks = [("build time", rl["seconds"] <= TARGETS["seconds"], f"{rl['seconds']:.2f} s <= 5 s"),
              ("peak RSS", rl["rss_mb"] <= TARGETS["rss_mb"], f"{rl['rss_mb']:.0f} MB <= 200 MB"),
              ("file size", rl["size_mb"] <= TARGETS["size_mb"], f"{rl['size_mb']:.1f} MB <= 30 MB")]
    if alike:
        speedup, share = wp["seconds"] / rl["seconds"], rl["rss_mb"] / wp["rss_mb"]
        per_page = (wp["seconds"] / wp["pages"]) / (rl["seconds"] / rl["pages"])
        print(f"ReportLab is {speedup:.1f}x faster ({per_page:.1f}x per page) and uses {share:.0%} of "
              f"WeasyPrint's peak memory.")
        checks += [("speed-up", speedup >= TARGETS["speedup"], f"{speedup:.1f}x >= 5x"),
                   ("memory", share <= TARGETS["memory_share"], f"{share:.0%} <= 50%")]
    else:
        print(f"NOT COMPARED: the page counts differ by more than {PAGE_TOLERANCE:.0%}, so the two documents do "
              f"not lay out the same content alike; no speed or memory ratio is printed (bench/pdf_setup.TUNING "
              f"sets WeasyPrint's layout).")
        checks.append(("comparable", False, f"page counts within {PAGE_TOLERANCE:.0%}"))
    for name, ok, text in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {text}")


def pages_alike(reportlab_pages: int, weasyprint_pages: int) -> tuple[bool, float]:
    """Whether the two documents are alike enough to compare, and WeasyPrint's page-count gap.

    >>> pages_alike(117, 120)
    (True, 0.02564102564102564)
    >>> pages_alike(117, 352)[0]
    False
    """
    gap = (weasyprint_pages - reportlab_pages) / reportlab_pages
    return abs(gap) <= PAGE_TOLERANCE, gap


def weasyprint_pango() -> str:
    from weasyprint.text.ffi import pango

    version = pango.pango_version()
    return f"{version // 10000}.{version // 100 % 100}.{version % 100}"


if __name__ == "__main__":
    main()
