"""Withdrawing a point "recorded in error": who may, and the withdrawal itself (kept, never
deleted; the actions feature cancels its action when it hears of it). Services flush and audit;
views commit.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from inspect_app import events
from inspect_app.audit.services import record
from inspect_app.domain.workflow import Role
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.findings.services import FindingError, FindingForbidden, FindingReadOnly, inspection_by_id

WITHDRAW_REASON_LIMIT = 1000
WITHDRAW_REASON_MESSAGE = "Say why the point was recorded in error."


def may_withdraw(finding: Finding, user, inspection) -> str | None:
    """Why ``user`` may not withdraw ``finding``, or None when they may.

    Its recorder may, while the inspection it was recorded in is in progress; after sign-off
    only a patient safety lead may (the signed report then lists it as withdrawn).
    """
    if finding.state == "removed":
        return "This point has already been withdrawn."
    if getattr(user, "role", None) == Role.SAFETY_LEAD.value:
        return None
    if finding.created_by_id != getattr(user, "id", None):
        return "Only the person who recorded the point, or a patient safety lead, can withdraw it."
    if inspection is None or inspection.is_read_only:
        return "The inspection is signed off: ask a patient safety lead to withdraw the point."
    return None


def withdraw_finding(finding: Finding, *, reason: Any, by, now: datetime, inspection=None) -> Finding:
    """"Recorded in error": take the point out of the figures and lists, cancel its action (kept),
    and keep everything in the audit trail.

    :param reason: why it was recorded in error (required, shown in the report).
    :param inspection: the inspection it was recorded in (looked up when not given).
    :raises FindingError: not allowed, or no reason.
    """
    inspection = inspection or inspection_by_id(finding.inspection_id)
    refusal = may_withdraw(finding, by, inspection)
    if refusal:  # already withdrawn is about the record's state (409); the rest about who asks (403)
        raise (FindingReadOnly if finding.state == "removed" else FindingForbidden)(refusal)
    if reason is not None and not isinstance(reason, str):
        raise FindingError("The reason must be text.", "reason")
    reason = (reason or "").strip()
    if not reason:
        raise FindingError(WITHDRAW_REASON_MESSAGE, "reason")
    if len(reason) > WITHDRAW_REASON_LIMIT:
        raise FindingError(f"The reason is at most {WITHDRAW_REASON_LIMIT:,} characters.", "reason")
    before = finding.state
    finding.state, finding.withdrawn_reason = "removed", reason
    finding.withdrawn_at, finding.withdrawn_by_id, finding.updated_at = now, by.id, now
    db.session.flush()
    record("finding.withdraw", finding, by=by, now=now, ward_id=finding.ward_id,
           inspection_id=finding.last_inspection_id, old={"state": before},
           new={"state": finding.state, "reason": reason}, comment=reason)
    events.finding_withdrawn.send(finding, reason=reason, by=by, now=now)
    return finding
