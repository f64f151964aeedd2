"""Importing incidents from the incident system's CSV export (Datix, LFPSE).

Two steps over the same code: :func:`preview` reads the file with a column mapping and says,
row by row, what would be imported, what is already recorded (same reference: skipped, so a
re-import never duplicates) and what is wrong; :func:`import_rows` imports only when no row is
wrong, all in the caller's one transaction. Nothing is ever half-imported.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.domain.incidents import NHS_NUMBER_MESSAGE, IncidentType, Outcome, looks_like_nhs_number
from inspect_app.estates.models import Room, Ward
from inspect_app.extensions import db
from inspect_app.incidents import services
from inspect_app.incidents.models import Incident

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
#: Fields an import fills, the ones it needs, and header names recognised without a mapping.
FIELDS = ("reference", "occurred_at", "ward", "room", "incident_type", "outcome", "fixture_category", "summary")
REQUIRED = ("reference", "occurred_at", "ward", "room", "incident_type", "outcome")
FIELD_LABELS = {"reference": "Incident reference", "occurred_at": "Date and time", "ward": "Ward",
                "room": "Room", "incident_type": "Type", "outcome": "Outcome (harm)",
                "fixture_category": "Fixture category", "summary": "Summary"}
KNOWN_HEADERS = {
    "reference": ("reference", "ref", "incident reference", "incident id", "datix id", "lfpse reference"),
    "occurred_at": ("occurred_at", "date", "incident date", "date and time", "date of incident"),
    "ward": ("ward", "location (ward)", "ward name"),
    "room": ("room", "exact location", "location (room)", "room name"),
    "incident_type": ("incident_type", "type", "incident type", "subcategory"),
    "outcome": ("outcome", "harm", "physical harm", "severity", "harm level"),
    "fixture_category": ("fixture_category", "fixture", "ligature point", "anchor point"),
    "summary": ("summary", "description", "brief description"),
}
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                "%d/%m/%Y %H:%M", "%d/%m/%Y")
OUTCOME_WORDS = {"none": "no_harm", "no harm": "no_harm", "low harm": "low", "moderate harm": "moderate",
                 "severe harm": "severe", "death": "fatal"}


class ImportRefused(ValueError):
    """The file as a whole cannot be read (size, encoding, headers, mapping)."""


@dataclass
class Preview:
    headers: list[str]
    mapping: dict[str, str]
    ready: list[tuple[int, services.IncidentInput]] = field(default_factory=list)
    already: list[tuple[int, str]] = field(default_factory=list)  # (line, reference)
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    @property
    def importable(self) -> bool:
        return not self.bad and bool(self.ready)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 with or without a byte-order mark, within the size limit."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_BYTES // 1000:,} kB: split it and import each part.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("The file is not UTF-8 text: export it from the incident system as CSV UTF-8.") from None


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """A column for each field whose header the incident systems' exports use."""
    lowered = {h.strip().lower(): h for h in headers}
    out = {}
    for name, known in KNOWN_HEADERS.items():
        match = next((lowered[k] for k in known if k in lowered), None)
        if match is not None:
            out[name] = match
    return out


def read(text: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        headers = [h for h in (reader.fieldnames or []) if h is not None]
        rows = []
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise ImportRefused(f"The file has more than {MAX_ROWS:,} rows: split it and import each part.")
    except csv.Error as exc:
        raise ImportRefused(f"The file is not readable CSV ({exc}).") from None
    if not headers:
        raise ImportRefused("The file is empty: it needs a header row and one row per incident.")
    return headers, rows


def preview(data: bytes, mapping: dict[str, str] | None, *, by, now: datetime) -> Preview:
    """Read the file with the mapping (or the recognised headers) and check every row.

    :param mapping: field name -> column header; None to use the recognised headers.
    :raises ImportRefused: for a problem with the whole file.
    """
    headers, rows = read(decode(data))
    mapping = {k: v for k, v in (mapping or guess_mapping(headers)).items() if v}
    missing = [FIELD_LABELS[f] for f in REQUIRED if mapping.get(f) not in headers]
    if missing:
        raise ImportRefused("Choose a column for: " + ", ".join(missing) + ".")
    result = Preview(headers=headers, mapping=mapping)
    rooms = _rooms()
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        values = {name: (row.get(column) or "").strip() for name, column in mapping.items()}
        try:
            item = _row(values, rooms, by=by, now=now)
        except services.IncidentError as exc:
            result.bad.append((line, str(exc)))
            continue
        reference = values["reference"]
        if reference in seen:
            result.bad.append((line, f"Reference {reference} appears twice in the file."))
        elif services.by_reference(reference) is not None:
            result.already.append((line, reference))
        else:
            result.ready.append((line, item))
        seen.add(reference)
    return result


def import_rows(data: bytes, mapping: dict[str, str] | None, *, by, now: datetime) -> list[Incident]:
    """Import every ready row, or none: refused while any row is bad.

    :raises ImportRefused: the file, or any row, is not importable.
    """
    checked = preview(data, mapping, by=by, now=now)
    if checked.bad:
        raise ImportRefused(f"{len(checked.bad)} row(s) cannot be imported; nothing was imported. "
                           "Correct them in the file and import it again.")
    return [services.record_incident(item, by=by, now=now, source="import") for _, item in checked.ready]


def _rooms() -> dict[tuple[str, str], Room]:
    query = select(Room).join(Ward, Room.ward_id == Ward.id).options(joinedload(Room.ward)).where(Room.active.is_(True))
    return {(room.ward.name.lower(), room.name.lower()): room for room in db.session.scalars(query)}


def _row(values: dict[str, str], rooms: dict, *, by, now: datetime) -> services.IncidentInput:
    for name, value in values.items():  # before any message could repeat the value
        if looks_like_nhs_number(value):
            raise services.IncidentError(f"{FIELD_LABELS[name]}: {NHS_NUMBER_MESSAGE}")
    services.clean_text("reference", values.get("reference"), required=True)
    room = rooms.get((values["ward"].lower(), values["room"].lower()))
    if room is None:
        raise services.IncidentError(f"No room {values['room']!r} on a ward named {values['ward']!r}.")
    if not services.may_record(by, room.ward_id):
        raise services.IncidentError(f"You cannot record incidents on {room.ward.name}.")
    item = services.IncidentInput(
        room=room, occurred_at=_when(values["occurred_at"]),
        incident_type=_choice(values["incident_type"], IncidentType, "Type"),
        outcome=_choice(values["outcome"], Outcome, "Outcome", OUTCOME_WORDS), reference=values["reference"],
        summary=values.get("summary", ""), fixture_category=values.get("fixture_category") or None)
    services.check_input(item, now=now)
    return item


def _when(text: str) -> datetime:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise services.IncidentError(f"The date {text!r} is not a date and time "
                                 "(use 2026-03-01 14:30 or 01/03/2026 14:30).")


def _choice(text: str, enum, what: str, extra: dict[str, str] | None = None) -> str:
    key = text.strip().lower()
    for member in enum:
        if key in (member.value, member.label.lower()):
            return member.value
    if extra and key in extra:
        return extra[key]
    raise services.IncidentError(f"{what} {text!r} is not one of: {', '.join(m.label for m in enum)}.")
