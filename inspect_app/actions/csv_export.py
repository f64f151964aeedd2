"""CSV writing that opens cleanly in Excel and cannot smuggle a formula into it.

UTF-8 with a byte-order mark (Excel otherwise guesses the wrong encoding), and every cell that
starts with = + - @, a tab or a carriage return gets a leading apostrophe (OWASP CSV injection).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """One cell as text, neutralised if a spreadsheet could read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)  # a number is data, not a formula, even when negative
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def write_csv(header: list[str], rows: Iterable[Iterable]) -> bytes:
    """The whole file as bytes, BOM first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
