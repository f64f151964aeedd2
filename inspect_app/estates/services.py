"""Estate use cases: sites, wards and rooms, including bulk room creation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from inspect_app.audit.services import record
from inspect_app.domain.grading import Observation
from inspect_app.domain.risk import Tier
from inspect_app.estates.models import AreaType, PatientGroup, Room, Site, Trust, Ward
from inspect_app.extensions import db

MAX_BULK_ROOMS = 80


class EstateError(ValueError):
    """A refused estate change, with a message for the user."""


def the_trust() -> Trust:
    """The installation's trust (one trust per installation)."""
    trust = db.session.scalar(select(Trust).order_by(Trust.id).limit(1))
    if trust is None:
        raise EstateError("No trust is set up yet. Run the demo seed or create the trust first.")
    return trust


def create_site(*, trust: Trust, name: str, code: str | None, by, now: datetime) -> Site:
    name = (name or "").strip()
    if not name:
        raise EstateError("Enter the site name.")
    if db.session.scalar(select(Site).where(Site.trust_id == trust.id, func.lower(Site.name) == name.lower())):
        raise EstateError(f"A site called {name} already exists.")
    site = Site(trust=trust, name=name, code=(code or "").strip() or None)
    db.session.add(site)
    record("site.create", site, by=by, now=now, new={"name": name, "code": site.code})
    return site


def create_ward(*, site: Site, name: str, patient_group: str, bed_count: int, by, now: datetime) -> Ward:
    name = (name or "").strip()
    if not name:
        raise EstateError("Enter the ward name.")
    try:
        PatientGroup(patient_group)
    except ValueError:
        raise EstateError("Choose a patient group.") from None
    if not 0 <= int(bed_count) <= 200:
        raise EstateError("Bed count must be between 0 and 200.")
    if db.session.scalar(select(Ward).where(Ward.site_id == site.id, func.lower(Ward.name) == name.lower())):
        raise EstateError(f"{site.name} already has a ward called {name}.")
    ward = Ward(site=site, name=name, patient_group=patient_group, bed_count=int(bed_count), active=True)
    db.session.add(ward)
    record("ward.create", ward, by=by, now=now, ward_id=None,
           new={"name": name, "site": site.name, "patient_group": patient_group, "bed_count": int(bed_count)})
    return ward


def update_ward(ward: Ward, *, name: str, patient_group: str, bed_count: int, active: bool, by, now) -> None:
    try:
        PatientGroup(patient_group)
    except ValueError:
        raise EstateError("Choose a patient group.") from None
    name = (name or "").strip() or ward.name
    clash = db.session.scalar(select(Ward).where(Ward.site_id == ward.site_id, Ward.id != ward.id,
                                                 func.lower(Ward.name) == name.lower()))
    if clash:
        raise EstateError(f"{ward.site.name} already has a ward called {name}.")
    old = {"name": ward.name, "patient_group": ward.patient_group, "bed_count": ward.bed_count, "active": ward.active}
    ward.name, ward.patient_group, ward.bed_count, ward.active = name, patient_group, int(bed_count), bool(active)
    new = {"name": ward.name, "patient_group": ward.patient_group, "bed_count": ward.bed_count, "active": ward.active}
    changed = [k for k in new if old[k] != new[k]]
    if changed:
        record("ward.update", ward, by=by, now=now, ward_id=ward.id,
               old={k: old[k] for k in changed}, new={k: new[k] for k in changed})


def _validate_room(ward: Ward, name: str, area_type_id: int, tier: str, *, room_id: int | None = None) -> AreaType:
    if not name:
        raise EstateError("Enter the room name.")
    if len(name) > 120:
        raise EstateError("Room names are at most 120 characters.")
    area_type = db.session.get(AreaType, area_type_id)
    if area_type is None:
        raise EstateError("Choose an area type.")
    try:
        Tier(tier)
    except ValueError:
        raise EstateError("Choose a CQC tier (Tier 1, 2, 3 or no patient access).") from None
    query = select(Room.id).where(Room.ward_id == ward.id, func.lower(Room.name) == name.lower())
    if room_id is not None:
        query = query.where(Room.id != room_id)
    if db.session.scalar(query):
        raise EstateError(f"{ward.name} already has a room called {name}.")
    return area_type


def _next_position(ward: Ward) -> int:
    return (db.session.scalar(select(func.max(Room.position)).where(Room.ward_id == ward.id)) or 0) + 1


def create_room(*, ward: Ward, name: str, area_type_id: int, tier: str | None, floor: str | None,
                by, now: datetime) -> Room:
    name = (name or "").strip()
    area_type = db.session.get(AreaType, area_type_id)
    tier = tier or (area_type.default_tier if area_type else "")
    _validate_room(ward, name, area_type_id, tier)
    room = Room(ward=ward, name=name, area_type_id=area_type_id, tier=tier, floor=(floor or "").strip() or None,
                position=_next_position(ward), active=True)
    db.session.add(room)
    record("room.create", room, by=by, now=now, ward_id=ward.id,
           new={"name": name, "area_type": area_type.code, "tier": tier, "floor": room.floor})
    return room


def bulk_room_names(prefix: str, first: int, last: int) -> list[str]:
    """Names like "Bedroom 1" ... "Bedroom 20" for a bulk creation."""
    prefix = (prefix or "").strip()
    if not prefix:
        raise EstateError("Enter a name for the rooms, for example Bedroom.")
    if first < 0 or last < first:
        raise EstateError("The last number must be at least the first.")
    if last - first + 1 > MAX_BULK_ROOMS:
        raise EstateError(f"Create at most {MAX_BULK_ROOMS} rooms at once.")
    return [f"{prefix} {n}" for n in range(first, last + 1)]


def create_rooms(*, ward: Ward, names: list[str], area_type_id: int, tier: str | None, floor: str | None,
                 by, now: datetime) -> list[Room]:
    """Create several rooms at once: all of them or, on any problem, none."""
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise EstateError(f"{name} is listed twice.")
        seen.add(name.lower())
    # The view rolls the whole session back on EstateError, so a clash half-way leaves nothing behind.
    return [create_room(ward=ward, name=name, area_type_id=area_type_id, tier=tier, floor=floor, by=by, now=now)
            for name in names]


def update_room(room: Room, *, name: str, area_type_id: int, tier: str, floor: str | None, active: bool,
                by, now: datetime, observation: str | None = ...) -> None:
    """Change a room. ``observation`` (a ``grading.Observation`` value, or None for not recorded) is
    left as it is when not passed. Points already graded keep their band; re-grades use the new facts."""
    name = (name or "").strip()
    area_type = _validate_room(room.ward, name, area_type_id, tier, room_id=room.id)
    if observation is not ... and observation not in (None, "") \
            and observation not in {o.value for o in Observation}:
        raise EstateError("Choose how the room is observed from the list.")
    old = {"name": room.name, "area_type": room.area_type.code, "tier": room.tier, "floor": room.floor,
           "active": room.active, "observation": room.observation}
    if observation is not ...:
        room.observation = observation or None
    room.name, room.area_type_id, room.tier = name, area_type.id, tier
    room.floor, room.active = (floor or "").strip() or None, bool(active)
    new = {"name": room.name, "area_type": area_type.code, "tier": room.tier, "floor": room.floor,
           "active": room.active, "observation": room.observation}
    changed = [k for k in new if old[k] != new[k]]
    if changed:
        record("room.update", room, by=by, now=now, ward_id=room.ward_id,
               old={k: old[k] for k in changed}, new={k: new[k] for k in changed})
