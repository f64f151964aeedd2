"""PDF renderers: inspection report, remediation tracker and room QR label sheet.

Each takes a frozen snapshot from :mod:`inspect_app.reports.data` and returns PDF bytes (or
writes to ``out``); none of them touches the database.

Importing this package sets ``reportlab.rl_config.useA85 = 0`` for the whole process.
ReportLab's default wraps every stream in ASCII85, which it encodes in pure Python unless a
C accelerator is present: measured on these machines, a 300-photo report took 7.1 s and
28 MB with it and 0.8 s and 22.5 MB without (binary streams are valid PDF; ASCII85 only
matters for 7-bit transports, which we do not use).
"""
from reportlab import rl_config

rl_config.useA85 = 0

from .inspection import render_inspection  # noqa: E402
from .labels import label_flowable, render_labels  # noqa: E402
from .tracker import render_tracker  # noqa: E402

__all__ = ["render_inspection", "render_tracker", "render_labels", "label_flowable"]
