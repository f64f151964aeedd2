"""What the ligature point page shows: photos (with removed ones), grade history, audit trail."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import and_, or_, select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import User
from inspect_app.extensions import db
from inspect_app.findings.forms import GradeForm, WithdrawForm
from inspect_app.findings.grid import grade_cells, room_floors
from inspect_app.findings.models import Finding
from inspect_app.findings.withdrawal import may_withdraw
from inspect_app.inspections.lookup import can_write
from inspect_app.inspections.models import CarryForward, Inspection
from inspect_app.photos.models import Photo


def detail_context(finding: Finding) -> dict:
    """Template context for ``findings/detail.html``."""
    photos = list(db.session.scalars(select(Photo).where(Photo.finding_id == finding.id).order_by(Photo.id)))
    events = list(db.session.scalars(select(AuditEvent).where(or_(
        and_(AuditEvent.entity_type == "finding", AuditEvent.entity_id == finding.id),
        and_(AuditEvent.entity_type == "photo", AuditEvent.entity_id.in_([p.id for p in photos] or [0]))))
        .order_by(AuditEvent.at, AuditEvent.id)))
    graders = {u.id: u.name for u in db.session.scalars(select(User).where(
        User.id.in_({g.graded_by_id for g in finding.grades} or {0})))}
    inspection = db.session.get(Inspection, finding.last_inspection_id)
    writable = can_write() and not inspection.is_read_only and finding.state != "removed"
    recorded_in = inspection if finding.inspection_id == inspection.id else db.session.get(
        Inspection, finding.inspection_id)
    return {
        "finding": finding, "inspection": inspection, "room": finding.room, "writable": writable,
        "photos": [p for p in photos if p.removed_at is None], "removed": [p for p in photos if p.removed_at],
        "grades": finding.grades, "graders": graders, "events": events,
        "carried": list(db.session.scalars(select(CarryForward).where(CarryForward.finding_id == finding.id)
                                           .order_by(CarryForward.recorded_at))),
        "cells": grade_cells(finding.room) if writable else None,
        "floors": room_floors(finding.room),
        # Withdrawing is offered only to those who may; otherwise the page says who can.
        "withdraw_refusal": may_withdraw(finding, current_user, recorded_in),
        "withdraw_form": WithdrawForm(formdata=None, finding_id=finding.id),
        "grade_form": GradeForm(formdata=None, finding_id=finding.id,
                                grade=f"{finding.likelihood}x{finding.consequence}" if finding.score else None),
    }
