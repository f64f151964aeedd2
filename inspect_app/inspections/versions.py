"""Versions of an inspection: a signed-off inspection is never edited; a correction is a new version.

The correction copies the original's team, answers, room access and carry-forward outcomes so
the inspector changes only what was wrong. The ligature points themselves are single records
with their own history, so they move on to the new version (``last_inspection_id``) instead of
being copied; the original is marked superseded and keeps its signature and attestation.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from inspect_app.audit.services import record
from inspect_app.domain.workflow import Role
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Answer, CarryForward, Inspection, InspectionStatus, RoomVisit
from inspect_app.refusals import Conflict, Forbidden


class CorrectionError(ValueError, Conflict):
    """A refused correction, with a message for the user (409: the inspection's state)."""


class NotYourCorrection(CorrectionError, Forbidden):
    """Someone other than the lead inspector or a patient safety lead asked for a correction (403)."""

    status = 403


def may_correct(inspection: Inspection, user) -> bool:
    """Only the inspection's lead inspector or a patient safety lead may start its correction."""
    return user.id == inspection.lead_inspector_id or user.role == Role.SAFETY_LEAD.value


def earlier_ids(inspection: Inspection) -> set[int]:
    """This inspection's id and the ids of every version it corrects."""
    ids, current = set(), inspection
    while current is not None and current.id not in ids:
        ids.add(current.id)
        current = current.corrects
    return ids


def later_versions(inspection: Inspection) -> list[Inspection]:
    """The corrections made of this inspection, oldest first (a chain: each corrects the one before)."""
    found, current = [], inspection
    while True:
        current = db.session.scalar(select(Inspection).where(Inspection.corrects_id == current.id))
        if current is None or current in found:
            return found
        found.append(current)


def start_correction(*, inspection: Inspection, reason: str, by, now: datetime) -> Inspection:
    """Make a new, in-progress version of a signed-off inspection; the original stays read-only.

    :param inspection: the signed-off version to correct.
    :param reason: why a correction is needed (kept on the new version and in the audit trail).
    """
    if inspection.status != InspectionStatus.SIGNED_OFF:
        raise CorrectionError("Only a signed-off inspection can be corrected; this one is "
                              + ("still in progress." if inspection.status == InspectionStatus.IN_PROGRESS
                                 else "already superseded."))
    if not may_correct(inspection, by):
        raise NotYourCorrection("Only the lead inspector of this inspection or a patient safety lead can "
                                "start a correction of it.")
    if reason is not None and not isinstance(reason, str):
        raise CorrectionError("Give the reason for the correction as text.")
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionError("Give the reason for the correction.")
    if len(reason) > 2000:
        raise CorrectionError("The reason is at most 2000 characters.")
    new = Inspection(ward_id=inspection.ward_id, template_id=inspection.template_id,
                     inspection_type=inspection.inspection_type, patient_group=inspection.patient_group,
                     status=InspectionStatus.IN_PROGRESS,
                     team=list(inspection.team or []), started_at=now, started_by_id=by.id,
                     # the lead stays the lead: asking for a correction does not make one the signer
                     lead_inspector_id=inspection.lead_inspector_id, previous_inspection_id=inspection.previous_inspection_id,
                     version=inspection.version + 1, corrects_id=inspection.id, correction_reason=reason,
                     updated_at=now)
    db.session.add(new)
    db.session.flush()
    for visit in db.session.scalars(select(RoomVisit).where(RoomVisit.inspection_id == inspection.id)):
        db.session.add(RoomVisit(inspection_id=new.id, room_id=visit.room_id, not_accessible=visit.not_accessible,
                                 not_accessible_reason=visit.not_accessible_reason, first_opened_at=now,
                                 updated_at=now))
    for answer in db.session.scalars(select(Answer).where(Answer.inspection_id == inspection.id)):
        db.session.add(Answer(inspection_id=new.id, room_id=answer.room_id, item_id=answer.item_id,
                              value=answer.value, comment=answer.comment, na_reason=answer.na_reason,
                              na_detail=answer.na_detail, answered_by_id=answer.answered_by_id,
                              answered_at=answer.answered_at))
    for entry in db.session.scalars(select(CarryForward).where(CarryForward.inspection_id == inspection.id)):
        db.session.add(CarryForward(inspection_id=new.id, finding_id=entry.finding_id, outcome=entry.outcome,
                                    comment=entry.comment, recorded_by_id=entry.recorded_by_id,
                                    recorded_at=entry.recorded_at))
    moved = list(db.session.scalars(select(Finding).where(Finding.last_inspection_id == inspection.id)))
    for finding in moved:
        finding.last_inspection_id = new.id
    inspection.status = InspectionStatus.SUPERSEDED
    inspection.updated_at = now
    db.session.flush()
    record("inspection.correction", new, by=by, now=now, ward_id=new.ward_id, inspection_id=new.id,
           old={"version": inspection.version, "ref": inspection.ref, "status": InspectionStatus.SIGNED_OFF},
           new={"version": new.version, "ref": new.ref, "reason": reason, "corrects": inspection.ref,
                "ligature_points": [f.ref for f in moved]})
    return new
