"""One timed ReportLab report build in this process, from a given checkout, for before/after runs.

    git archive <commit> | tar -x -C /tmp/before
    .venv/bin/python bench/pdf_ab.py /tmp/before DIR    # the build as it was
    .venv/bin/python bench/pdf_ab.py . DIR              # the build now

DIR is a database made by ``bench/pdf.py --keep DIR`` (its <findings> subdirectory). Alternate the
two a few times: on a shared box the load drifts between runs. Prints seconds (wall and this process's
CPU time, which other jobs on the box disturb less) and peak RSS as JSON.
"""
from __future__ import annotations

import json
import sys
import time


def main() -> None:
    sys.path.insert(0, sys.argv[1])
    from bench.pdf_setup import child_prepare, reset_peak, rss_mb

    build = child_prepare("reportlab", sys.argv[2])
    before = rss_mb()
    reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    build("/tmp/wsi-pdf-ab.pdf")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = rss_mb("VmHWM")
    print(json.dumps({"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "rss_mb": round(peak),
                      "before_mb": round(before), "build_mb": round(peak - before)}))


if __name__ == "__main__":
    main()
