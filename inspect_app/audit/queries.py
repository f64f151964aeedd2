"""Reading the audit trail: one filter shape shared by the page and the CSV export."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select

from inspect_app.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    ward_id: int | None = None
    user_id: int | None = None
    verb: str | None = None  # "finding" matches finding.*, "action.transition" matches exactly
    inspection_id: int | None = None
    action_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (for links to the export and other pages)."""
        pairs = {"ward": self.ward_id, "user": self.user_id, "verb": self.verb, "inspection": self.inspection_id,
                 "action": self.action_id, "date_from": self.date_from, "date_to": self.date_to}
        return {k: str(v) for k, v in pairs.items() if v not in (None, "", 0)}


def events(f: AuditFilter) -> Select:
    """Matching events, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if f.ward_id:
        query = query.where(AuditEvent.ward_id == f.ward_id)
    if f.user_id:
        query = query.where(AuditEvent.user_id == f.user_id)
    if f.verb:
        query = query.where((AuditEvent.action == f.verb) | AuditEvent.action.startswith(f.verb.rstrip(".") + "."))
    if f.inspection_id:
        query = query.where(AuditEvent.inspection_id == f.inspection_id)
    if f.action_id:
        query = query.where(AuditEvent.action_id == f.action_id)
    if f.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        query = query.where(AuditEvent.at < datetime.combine(f.date_to + timedelta(days=1), time.min))
    return query
