"""The invented demo trust: two sites, six wards, 20+ rooms each, six demo accounts.

Everything here is fictional: no real trust, site, ward or person.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from inspect_app.alerts.services import load_builtin_alerts
from inspect_app.auth.models import User
from inspect_app.auth.passwords import hash_password
from inspect_app.checklists import library
from inspect_app.estates.models import AreaType, PatientGroup, Room, Site, Trust, Ward
from inspect_app.extensions import db

DEMO_PASSWORD = "ward-demo-pass"
DEMO_ACCOUNTS = (
    ("inspector@demo.nhs.test", "Sam Okafor", "inspector"),
    ("manager@demo.nhs.test", "Priya Raman", "ward_manager"),
    ("safety@demo.nhs.test", "Dr Helen Marsh", "safety_lead"),
    ("approver@demo.nhs.test", "Dr Amara Whitfield", "risk_approver"),
    ("admin@demo.nhs.test", "Chris Lowe", "admin"),
    ("staff@demo.nhs.test", "Jordan Ellis", "ward_staff"),
)


@dataclass(frozen=True)
class WardPlan:
    site: str
    name: str
    group: PatientGroup
    beds: int
    ensuites: bool
    extras: tuple[tuple[str, str], ...] = ()


WARDS = (
    WardPlan("Ashdown Hospital", "Larch Ward", PatientGroup.ACUTE, 16, True),
    WardPlan("Ashdown Hospital", "Willow Ward", PatientGroup.PICU, 10, True,
             (("Seclusion suite", "ECA"), ("De-escalation room", "ECA"))),
    WardPlan("Ashdown Hospital", "Rowan Ward", PatientGroup.OLDER_ADULT, 14, False,
             (("Assisted bathroom 2", "BTH"), ("Four-bed bay", "DRM"))),
    WardPlan("Riverside Unit", "Hazel Ward", PatientGroup.LEARNING_DISABILITY, 8, True,
             (("Sensory room", "SEN"),)),
    WardPlan("Riverside Unit", "Juniper Ward", PatientGroup.CAMHS, 12, True,
             (("Education room", "EDU"), ("Family room", "INT"))),
    WardPlan("Riverside Unit", "Alder Ward", PatientGroup.REHABILITATION, 12, False,
             (("Therapy kitchen", "ACT"),)),
)

COMMON_AREAS = (
    ("Ward entrance and airlock", "ENT"),
    ("Main corridor", "COR"),
    ("Day room", "LNG"),
    ("Quiet room", "LNG"),
    ("Dining room", "DIN"),
    ("Activity room", "ACT"),
    ("Communal toilet", "WC"),
    ("Patient laundry", "LAU"),
    ("Interview room", "INT"),
    ("Garden courtyard", "GDN"),
    ("Nurses' office", "STF"),
    ("Clinic room", "CLN"),
    ("Stairwell", "STR"),
)


class SeedRefused(RuntimeError):
    """The database already holds accounts: the demo must not mix with real data."""


def has_users() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def seed_demo(*, now: datetime) -> Trust:
    """Create the demo trust; refuses when any user account already exists."""
    if has_users():
        raise SeedRefused("This database already holds user accounts; the demo trust is only seeded "
                          "into an empty database.")
    if library.current_published() is None:
        library.import_library(library.load_builtin(), by=None, now=now, publish=True)
        db.session.flush()
    load_builtin_alerts(now=now)
    areas = {a.code: a for a in db.session.scalars(select(AreaType))}
    trust = Trust(name="Northmoor and Vale Mental Health NHS Foundation Trust (demo)", code="DEMO", created_at=now)
    db.session.add(trust)
    sites: dict[str, Site] = {}
    wards: list[Ward] = []
    for plan in WARDS:
        site = sites.get(plan.site)
        if site is None:
            site = sites[plan.site] = Site(trust=trust, name=plan.site,
                                           code="".join(w[0] for w in plan.site.split()).upper())
            db.session.add(site)
        ward = Ward(site=site, name=plan.name, patient_group=plan.group.value, bed_count=plan.beds, active=True)
        db.session.add(ward)
        wards.append(ward)
        for position, (name, code) in enumerate(_rooms(plan), 1):
            area = areas[code]
            db.session.add(Room(ward=ward, name=name, area_type=area, tier=area.default_tier, position=position,
                                floor="Ground" if plan.site == "Riverside Unit" else "First", active=True))
    users = {}
    for email, name, role in DEMO_ACCOUNTS:
        users[role] = User(email=email, name=name, role=role, password_hash=hash_password(DEMO_PASSWORD),
                           active=True, created_at=now)
        db.session.add(users[role])
    users["ward_manager"].managed_wards = wards[:2]
    users["ward_staff"].staff_wards = wards[:1]  # a nurse on Larch Ward: its briefing, read-only
    db.session.flush()
    return trust


def _rooms(plan: WardPlan) -> list[tuple[str, str]]:
    rooms: list[tuple[str, str]] = []
    for bed in range(1, plan.beds + 1):
        rooms.append((f"Bedroom {bed}", "BED"))
        if plan.ensuites:
            rooms.append((f"Bedroom {bed} en-suite", "ENS"))
    if not plan.ensuites:
        rooms.append(("Shower room", "BTH"))
        rooms.append(("Assisted bathroom", "BTH"))
    rooms.extend(COMMON_AREAS)
    rooms.extend(plan.extras)
    return rooms
