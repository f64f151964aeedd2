"""Signing an inspection through the real service, as the pages do: each signatory re-enters
their password and acknowledges every "needs a second look" flag shown to them."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.demo.seed import DEMO_PASSWORD
from inspect_app.domain.assurance import Capacity, required_capacities
from inspect_app.extensions import db
from inspect_app.inspections import signing
from inspect_app.inspections.assurance import flags_for


def sign_fully(inspection, *, lead: User, now: datetime, clinical: User | None = None,
               attestation: str = "A true record", password: str = DEMO_PASSWORD) -> list:
    """Lead signature, then (for a full annual assessment) the clinical one by ``clinical``, or the
    demo patient safety lead. Returns the remediation actions created."""
    keys = [flag.key for flag in flags_for(inspection)]
    created = signing.sign_off(inspection=inspection, password=password, attestation=attestation, by=lead,
                               now=now, capacity=Capacity.LEAD.value, acknowledged=keys)
    if Capacity.CLINICAL in required_capacities(inspection.inspection_type):
        clinical = clinical or db.session.scalar(select(User).where(User.role == "safety_lead").order_by(User.id))
        created = signing.sign_off(inspection=inspection, password=password, attestation=attestation,
                                   by=clinical, now=now + timedelta(minutes=5), capacity=Capacity.CLINICAL.value,
                                   acknowledged=keys)
    return created
