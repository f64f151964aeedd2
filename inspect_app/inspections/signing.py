"""Signing an inspection off: who may sign next, in which capacity, and the last required
signature, which freezes the record and lets the actions feature raise its actions.

What still stops sign-off is :func:`inspections.services.signoff_problems` (reports show it too).
Services take keyword-only ``by`` and ``now``, flush, write the audit record and never commit.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from inspect_app import events
from inspect_app.audit.services import record
from inspect_app.auth.services import AccountError, reauthenticate
from inspect_app.domain import assurance
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.assurance import flags_for
from inspect_app.inspections.models import CarryForward, Inspection, InspectionStatus, Signature
from inspect_app.inspections.services import (
    READ_ONLY_MESSAGE,
    InspectionError,
    InspectionReadOnly,
    NotLeadInspector,
    signoff_problems,
)


def capacity_for(inspection: Inspection, user) -> str | None:
    """The capacity ``user`` would sign in next, or None when there is nothing for them to sign."""
    if inspection.status != InspectionStatus.IN_PROGRESS:
        return None
    signed = {s.capacity: s.user_id for s in inspection.signatures}
    for capacity in assurance.required_capacities(inspection.inspection_type):
        if capacity.value in signed:
            continue
        try:
            return assurance.check_signatory(
                capacity, inspection_type=inspection.inspection_type, user_id=user.id, user_role=user.role,
                lead_inspector_id=inspection.lead_inspector_id,
                manages_ward=any(w.id == inspection.ward_id for w in getattr(user, "managed_wards", [])),
                signed=signed).value
        except assurance.SignatureError:
            return None
    return None


def sign_off(*, inspection: Inspection, password: str | None, attestation: str, by, now: datetime,
             capacity: str | None = None, acknowledged: Any = (),
             sso_authenticated_at: datetime | None = None) -> list:
    """Sign the inspection as the signed-in account; returns the remediation actions created
    (empty until the last required signature is given).

    The signature is the account (its name and role are copied, never typed) after
    re-authentication. A full annual assessment needs the lead inspector and then a clinical
    sign-off by a ward manager of the ward or a patient safety lead, a different account. The
    lead's signature freezes the record. Refused while a room is unanswered (unless marked not
    accessible with a reason), while a carried-forward point has no outcome, while a point has
    no grade, or while a "needs a second look" flag is not acknowledged.

    :param capacity: ``domain.assurance.Capacity`` value; by default the next one this user may give.
    :param acknowledged: the keys of the flags the signatory acknowledges (``Flag.key``).
    :param sso_authenticated_at: a fresh sign-in at the trust's identity provider, instead of the password.
    """
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise InspectionReadOnly(READ_ONLY_MESSAGE)
    chosen = _signing_capacity(inspection, capacity, by=by)
    problems = signoff_problems(inspection)
    if problems:
        raise InspectionError("Cannot sign off yet: " + " ".join(problems))
    flags = flags_for(inspection)
    _check_acknowledged(flags, acknowledged)
    try:
        method = reauthenticate(by, password=password, now=now, sso_authenticated_at=sso_authenticated_at)
    except AccountError as exc:
        raise InspectionError(str(exc)) from None
    signature = Signature(inspection_id=inspection.id, capacity=chosen.value, user_id=by.id, name=by.name,
                          role=by.role, reauth_method=method, signed_at=now,
                          acknowledged_flags=[{"key": f.key, "room": f.room_name, "flag": f.text} for f in flags])
    db.session.add(signature)
    inspection.signatures.append(signature)
    db.session.flush()
    record("inspection.sign", inspection, by=by, now=now, ward_id=inspection.ward_id, inspection_id=inspection.id,
           new={"capacity": chosen.value, "name": by.name, "role": by.role, "reauth": method,
                "acknowledged": signature.acknowledged_flags})
    if chosen is assurance.Capacity.LEAD:
        inspection.attestation = (attestation or "").strip()
    done = {s.capacity for s in inspection.signatures}
    if not all(c.value in done for c in assurance.required_capacities(inspection.inspection_type)):
        return []
    return _complete_sign_off(inspection, by=by, now=now)


def _signing_capacity(inspection: Inspection, capacity: str | None, *, by) -> assurance.Capacity:
    """The capacity ``by`` signs in (by default the next they may give), or a refusal saying why not."""
    signed = {s.capacity: s.user_id for s in inspection.signatures}
    if capacity is None:
        capacity = capacity_for(inspection, by) or assurance.Capacity.LEAD.value
    try:
        return assurance.check_signatory(
            capacity, inspection_type=inspection.inspection_type, user_id=by.id, user_role=by.role,
            lead_inspector_id=inspection.lead_inspector_id,
            manages_ward=any(w.id == inspection.ward_id for w in by.managed_wards), signed=signed)
    except assurance.SignatureError as exc:
        if str(exc).startswith("Only the lead inspector"):
            raise NotLeadInspector(str(exc)) from None
        raise InspectionError(str(exc)) from None


def _check_acknowledged(flags, acknowledged: Any) -> None:
    """Refuse unless every "needs a second look" flag's key is among ``acknowledged``."""
    if isinstance(acknowledged, str) or not isinstance(acknowledged, (list, tuple, set, frozenset)):
        acknowledged = ()
    missing = [f for f in flags if f.key not in set(map(str, acknowledged))]
    if missing:
        raise InspectionError(f"Acknowledge each room that needs a second look before signing "
                              f"({len(missing)} not acknowledged: "
                              + "; ".join(f"{f.room_name}: {f.text}" for f in missing) + ").")


def _complete_sign_off(inspection: Inspection, *, by, now: datetime) -> list:
    """The last required signature: the record freezes, points judged fixed resolve, actions follow."""
    lead = inspection.lead_signature
    inspection.status = InspectionStatus.SIGNED_OFF
    inspection.signed_off_at, inspection.signed_off_by_id = now, lead.user_id
    inspection.signature_name = lead.name  # the account's name, never typed
    # Points judged fixed at this inspection are resolved now.
    for entry in db.session.scalars(select(CarryForward).where(CarryForward.inspection_id == inspection.id,
                                                               CarryForward.outcome == "fixed")):
        finding = db.session.get(Finding, entry.finding_id)
        if finding.state == "present":
            finding.state, finding.resolved_at = "fixed", now
    record("inspection.sign_off", inspection, by=by, now=now, ward_id=inspection.ward_id,
           inspection_id=inspection.id, new={"signatories": [s.name for s in inspection.signatures],
                                             "attestation": inspection.attestation})
    created = events.inspection_signed_off.send(inspection, by=by, now=now)
    return [made for _receiver, records in created for made in records or ()]
