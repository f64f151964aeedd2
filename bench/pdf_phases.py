"""Where a report build's memory goes: RSS after collecting the snapshot and at the end of rendering it.

    .venv/bin/python bench/pdf_phases.py . DIR            # this checkout
    .venv/bin/python bench/pdf_phases.py /tmp/before DIR  # another (git archive <commit> | tar -x -C /tmp/before)
    .venv/bin/python bench/pdf_phases.py . DIR --trace    # also tracemalloc's peak during the collection

DIR is a database made by ``bench/pdf.py --keep DIR`` (its <findings> subdirectory). One fresh process,
the app booted first as in bench/pdf.py. Prints JSON, in MB: ``booted``; ``collected`` (RSS after
``collect.inspection_report``, which is also the peak so far); ``peak`` (the whole build). With
``--trace``: ``collect_traced_peak``, the most Python memory the collection held at once, and ``snapshot``,
what the finished snapshot holds (tracing slows the collection and adds to the RSS figures).
"""
from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from pathlib import Path


def main() -> None:
    sys.path.insert(0, sys.argv[1])
    from bench.pdf_setup import make_app, reset_peak, rss_mb
    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.extensions import db
    from inspect_app.reports import collect
    from inspect_app.reports.pdf import render_inspection

    workdir, trace = Path(sys.argv[2]), "--trace" in sys.argv
    app = make_app(workdir)
    inspection_id = int((workdir / "inspection_id").read_text())
    out: dict[str, float] = {}
    with app.app_context():
        inspection = collect.load_inspection(inspection_id)
        user = db.session.get(User, inspection.lead_inspector_id)
        gc.collect()
        out["booted"] = rss_mb()
        reset_peak()
        if trace:
            tracemalloc.start()
        report = collect.inspection_report(inspection, by=user, now=utcnow())
        if trace:
            current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            out |= {"collect_traced_peak": peak / 1e6, "snapshot": current / 1e6}
        out["collected"] = rss_mb("VmHWM")
        render_inspection(report, out="/tmp/wsi-pdf-phases.pdf")
        out["peak"] = rss_mb("VmHWM")
    print(json.dumps({key: round(value, 1) for key, value in out.items()}))


if __name__ == "__main__":
    main()
