"""Changing a recorded point's fields, from the page or a device: each field merged on its own
(the later edit wins, the other stays in the audit trail), and a changed grading fact (low-level,
load-bearing) re-grades the point. Services flush and audit; views commit.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from inspect_app.audit.services import record
from inspect_app.domain import grading
from inspect_app.findings.models import Finding
from inspect_app.findings.services import EDITABLE_FIELDS, FindingError, apply_grade, clean_field, ensure_editable

# Fields whose change re-grades the point (the floors depend on them).
GRADING_FIELDS = ("low_level", "load_bearing")
GRADING_FIELD_NAMES = {"low_level": "Low-level flag", "load_bearing": "Load-bearing answer"}


def _snapshot(finding: Finding) -> dict[str, Any]:
    return {f: getattr(finding, f) for f in EDITABLE_FIELDS}


def update_finding(finding: Finding, changes: dict[str, Any], *, by, now: datetime,
                   edited_at: dict[str, str] | None = None, inspection=None,
                   consequence_reason: str | None = None) -> dict[str, Any]:
    """Change some fields of a ligature point; returns the fields that changed.

    :param edited_at: per-field ISO times from the editing device. A field whose stored edit is
        newer than the incoming one is left as it is (field-by-field merge, later edit wins);
        both versions stay in the audit trail.
    """
    inspection = ensure_editable(finding, inspection)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise FindingError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    clean = {k: clean_field(k, v) for k, v in changes.items()}
    before = _snapshot(finding)
    applied, skipped = _merge_fields(finding, clean, edited_at or {}, now=now)
    if applied:
        finding.updated_at = now
        record("finding.update", finding, by=by, now=now, ward_id=finding.ward_id,
               inspection_id=inspection.id if inspection else finding.last_inspection_id,
               old={k: before[k] for k in applied}, new=applied)
    if skipped:
        record("finding.update_superseded", finding, by=by, now=now, ward_id=finding.ward_id,
               new=skipped, comment="Older offline edit kept in history; a later edit won these fields.")
    _regrade_after_edit(finding, applied, by=by, now=now, inspection=inspection,
                        consequence_reason=consequence_reason)
    return applied


def _regrade_after_edit(finding: Finding, applied: dict[str, Any], *, by, now: datetime, inspection,
                        consequence_reason: str | None) -> None:
    """A changed grading fact (low-level, load-bearing...) re-grades the point with its L and C."""
    changed = [field for field in GRADING_FIELDS if field in applied]
    if changed and finding.likelihood is not None:
        apply_grade(finding, finding.likelihood, finding.consequence, kind="regrade", by=by, now=now,
                    inspection=inspection, comment=" and ".join(GRADING_FIELD_NAMES[f] for f in changed) + " changed",
                    consequence_reason=consequence_reason)
    elif finding.load_bearing == grading.LoadBearing.NONE.value and not finding.load_bearing_reason:
        raise FindingError("Say why the point cannot bear a ligature (for example: collapses under 2 kg).",
                           "load_bearing_reason")


def _merge_fields(finding: Finding, clean: dict[str, Any], edited_at: dict[str, str], *,
                  now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set each changed field unless a later edit already won it; returns (applied, skipped)."""
    # A stored time ahead of the server (from a device clock that ran fast before device times
    # were clamped) is forgotten, so it cannot lock the field against every later edit.
    ceiling = now.strftime("%Y-%m-%dT%H:%M:%S.%f")
    stored_times = {k: v for k, v in (finding.field_edited_at or {}).items() if isinstance(v, str) and v <= ceiling}
    applied: dict[str, Any] = {}
    skipped: dict[str, Any] = {}
    for field, value in clean.items():
        incoming = edited_at.get(field)
        if incoming and stored_times.get(field) and stored_times[field] > incoming:
            skipped[field] = value  # a later edit already won this field
            continue
        if getattr(finding, field) != value:
            setattr(finding, field, value)
            applied[field] = value
        if incoming:
            stored_times[field] = max(incoming, stored_times.get(field, ""))
    finding.field_edited_at = stored_times
    return applied, skipped
