"""The "alert response evidence" snapshot: frozen data collected from the database for the PDF.

The renderer (:mod:`inspect_app.alerts.pdf`) never touches the session; this module is the only
place that reads it, the same split as ``reports/data.py`` and ``reports/pdf``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from inspect_app.alerts import queries
from inspect_app.alerts.models import Alert
from inspect_app.domain.alerts import Deadline
from inspect_app.domain.workflow import ActionStatus
from inspect_app.estates.models import PatientGroup
from inspect_app.inspections.assurance import grade_story

MARKING = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True, kw_only=True)
class EvidencePoint:
    ref: str
    room: str
    item: str  # the checklist item code the point was recorded against
    description: str
    band: str
    action_ref: str | None
    action_status: str | None
    target_date: date | None
    action_open: bool
    grade: str = ""  # "Original Extreme (20); residual Low (4), risk accepted by ..."
    accepted: bool = False
    interim_past_review: bool = False
    overdue: bool = False


@dataclass(frozen=True, kw_only=True)
class EvidenceCheck:
    """A registered product in the ward whose check failed or is overdue."""

    room: str
    product: str
    state: str  # "Failed check on 3 Mar 2025 (notes)" / "Check overdue since 1 Mar 2025"


@dataclass(frozen=True, kw_only=True)
class EvidenceWard:
    name: str
    site: str
    patient_group: str
    state: str
    inspection: str | None  # "INS-00012, signed off 3 Mar 2025 (Ligature checklist v1.1)"
    points: tuple[EvidencePoint, ...] = ()
    caveats: tuple[str, ...] = ()  # what stops the ward being called clear
    checks: tuple[EvidenceCheck, ...] = ()


@dataclass(frozen=True, kw_only=True)
class EvidenceReport:
    marking: str
    trust: str
    alert_label: str
    alert_title: str
    reference: str | None
    issuing_body: str
    issued_on: date | None
    restricted: bool
    required_actions: str | None
    scope: str
    response: str
    response_note: str | None
    response_by: str | None
    response_at: datetime | None
    deadlines: tuple[Deadline, ...]
    items: tuple[str, ...]  # "BED-08 (Ligature checklist v1.0)"
    wards: tuple[EvidenceWard, ...]
    generated_at: datetime
    generated_by: str


def _group_label(value: str) -> str:
    try:
        return PatientGroup(value).label
    except ValueError:
        return value


def _inspection_text(inspection) -> str | None:
    if inspection is None:
        return None
    return (f"{inspection.ref}, signed off {inspection.signed_off_at:%-d %b %Y} "
            f"({inspection.template.title})")


def _point(finding, action, *, past_review: set[int], today) -> EvidencePoint:
    """One implementing point with its action and its grade story (accepted risks say so)."""
    story = grade_story(finding, action)
    return EvidencePoint(
        ref=finding.ref, room=finding.room.name,
        item=finding.item.code if finding.item else "Failed product check",
        description=finding.description or finding.category, band=(finding.band or "ungraded").capitalize(),
        action_ref=action.ref if action else None,
        action_status=ActionStatus(action.status).label if action else None,
        target_date=action.target_date if action else None, action_open=bool(action and action.is_open),
        grade=story.text(), accepted=story.accepted,
        interim_past_review=bool(action and action.id in past_review),
        overdue=bool(action and action.is_overdue(today)))


def _checks(row) -> list[EvidenceCheck]:
    """The ward's failed and overdue product checks."""
    checks = [EvidenceCheck(room=r.fixture.room.name, product=r.fixture.label,
                            state=f"Failed check on {r.last.checked_at:%-d %b %Y}"
                                  + (f" ({r.last.notes})" if r.last.notes else "")) for r in row.failed_checks]
    checks += [EvidenceCheck(room=r.fixture.room.name, product=r.fixture.label,
                             state=f"Check overdue since {r.next_due:%-d %b %Y}") for r in row.overdue_checks]
    return checks


def _ward(row, *, today) -> EvidenceWard:
    past_review = {a.id for a in row.interim_past_review}
    points = [_point(finding, row.actions.get(finding.id), past_review=past_review, today=today)
              for finding in row.points]
    return EvidenceWard(name=row.ward.name, site=row.ward.site.name,
                        patient_group=row.ward.patient_group_label, state=row.state.label,
                        inspection=_inspection_text(row.inspection), points=tuple(points),
                        caveats=tuple(row.caveats), checks=tuple(_checks(row)))


def collect(alert: Alert, *, trust: str, by, now: datetime, area_names: dict[str, str]) -> EvidenceReport:
    """Snapshot ``alert``, its implementing items and every ward in scope.

    :param alert: the alert reported on.
    :param trust: the trust's name for the cover.
    :param by: the user generating the report.
    :param now: when it is generated.
    :param area_names: area type code -> name, for the scope line.
    """
    groups = ", ".join(_group_label(g) for g in alert.patient_groups) or "All patient groups"
    areas = ", ".join(area_names.get(c, c) for c in alert.area_type_codes) or "all area types"
    items = tuple(f"{c.item.code} ({t.title})" for t, cited in queries.items_implementing(alert) for c in cited)
    wards = [_ward(row, today=now.date()) for row in queries.ward_rows(alert, today=now.date())]
    return EvidenceReport(
        marking=MARKING, trust=trust, alert_label=alert.label, alert_title=alert.title, reference=alert.reference,
        issuing_body=alert.issuing_body, issued_on=alert.issued_on, restricted=alert.restricted,
        required_actions=alert.required_actions, scope=f"{groups}; {areas}", response=alert.response_label,
        response_note=alert.response_note, response_by=alert.response_by.name if alert.response_by else None,
        response_at=alert.response_at, deadlines=tuple(alert.deadlines(now.date())), items=items,
        wards=tuple(wards), generated_at=now, generated_by=getattr(by, "name", "system"))
