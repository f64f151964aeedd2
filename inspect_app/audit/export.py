"""CSV export of the audit trail: UTF-8 with a BOM (Excel reads it), formula injection defused.

A cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) gets a leading apostrophe, so free text such as a comment cannot run in Excel.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["Time (UTC)", "User", "Role", "Action", "Entity", "Entity id", "Ward", "Inspection id",
          "Action id", "Old values", "New values", "Comment"]


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(event, ward_names: dict[int, str]) -> list[str]:
    return [safe_cell(v) for v in (
        event.at.isoformat(timespec="seconds"), event.user_name, event.role, event.action, event.entity_type,
        event.entity_id, ward_names.get(event.ward_id, event.ward_id), event.inspection_id, event.action_id,
        event.old, event.new, event.comment)]


def csv_lines(events: Iterable, ward_names: dict[int, str]) -> Iterator[str]:
    """The CSV text in chunks: the BOM and header first, then one line per event.

    :param events: AuditEvent objects or rows with the same attribute names.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(HEADER)
    yield BOM + take()
    for event in events:
        writer.writerow(row(event, ward_names))
        yield take()
