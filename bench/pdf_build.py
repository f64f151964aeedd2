"""Print inspection-report PDF figures: build time, peak memory, file size, pages.

    .venv/bin/python bench/pdf_build.py [--findings 300] [--rooms 30] [--runs 3] [--keep out.pdf]

Builds an InspectionReport of ``--findings`` findings across ``--rooms`` rooms, each with
its own 800 px JPEG (generated here with Pillow, about 75 KB each, like a real rendition),
then renders it ``--runs`` times, each in a fresh Python process so imports, caches and
memory start cold. It reports the median render time (measured around
``render_inspection`` inside the child), the child's peak RSS (``ru_maxrss``), the file
size and the page count.

Targets: <= 5 s, <= 200 MB peak RSS, <= 30 MB file.
A script that prints figures, not a test: it exits 0 unless something crashes.
"""
from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.unit.pdf_fixtures import make_inspection  # noqa: E402

TARGETS = {"seconds": 5.0, "rss_mb": 200.0, "size_mb": 30.0}

# Runs in the fresh child: load the pickled report, render it to a file, report figures.
CHILD = """
import json, pickle, resource, sys, time
sys.path.insert(0, {root!r})
from inspect_app.reports.pdf import render_inspection
with open({report!r}, "rb") as fh:
    report = pickle.load(fh)
start = time.perf_counter()
render_inspection(report, out={out!r})
seconds = time.perf_counter() - start
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KB
print(json.dumps({{"seconds": seconds, "rss_mb": rss_mb}}))
"""


def run_child(report_path: Path, out: Path) -> dict:
    code = CHILD.format(root=str(ROOT), report=str(report_path), out=str(out))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=300)
    parser.add_argument("--rooms", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="copy the last PDF here")
    args = parser.parse_args()

    from pypdf import PdfReader

    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        tmp_dir = Path(tmp)
        start = time.perf_counter()
        report = make_inspection(tmp_dir / "photos", rooms=args.rooms,
                                 findings_per_room=args.findings // args.rooms, not_accessible=2)
        photos = [p for f in report.findings for p in f.photos]
        photo_mb = sum(Path(p.path).stat().st_size for p in photos) / 1e6
        print(f"fixture: {report.finding_count} findings in {len(report.rooms)} rooms, "
              f"{len(photos)} distinct photos ({photo_mb:.1f} MB), {len(report.actions)} actions "
              f"- built in {time.perf_counter() - start:.1f} s")
        report_path = tmp_dir / "report.pickle"
        report_path.write_bytes(pickle.dumps(report))

        out = tmp_dir / "report.pdf"
        runs = []
        for run in range(1, args.runs + 1):
            figures = run_child(report_path, out)
            runs.append(figures)
            print(f"run {run}: {figures['seconds']:.2f} s, peak RSS {figures['rss_mb']:.0f} MB")
        size_mb = out.stat().st_size / 1e6
        pages = len(PdfReader(out).pages)
        if args.keep:
            args.keep.write_bytes(out.read_bytes())

    result = {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "rss_mb": statistics.median(r["rss_mb"] for r in runs),
        "size_mb": size_mb,
    }
    print(f"\nmedian of {len(runs)} fresh processes: {result['seconds']:.2f} s, "
          f"peak RSS {result['rss_mb']:.0f} MB, {size_mb:.1f} MB, {pages} pages")
    for key, limit in TARGETS.items():
        verdict = "ok" if result[key] <= limit else "OVER TARGET"
        print(f"  {key:8} {result[key]:7.2f}  target <= {limit:g}  {verdict}")


if __name__ == "__main__":
    main()
