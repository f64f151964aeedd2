"""Reading the estate: sites, wards, rooms and area types for the pages that list or edit them.

Queries return rows or objects (or None); the view decides what a missing one means (404, 400).
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from inspect_app.estates.models import AreaType, Room, Site, Trust, Ward
from inspect_app.extensions import db


def area_types() -> Sequence[AreaType]:
    """Every area type, by name (the room forms' choices)."""
    return db.session.scalars(select(AreaType).order_by(AreaType.name)).all()


def sites_with_wards() -> Sequence[Site]:
    """Every site by name, its wards loaded with it (the estate page)."""
    return db.session.scalars(select(Site).options(selectinload(Site.wards)).order_by(Site.name)).all()


def active_room_counts() -> dict[int, int]:
    """Active rooms per ward id (wards without an active room are absent)."""
    return dict(db.session.execute(
        select(Room.ward_id, func.count()).where(Room.active.is_(True)).group_by(Room.ward_id)).all())


def site(site_id: int | None) -> Site | None:
    """The site with this id, or None."""
    return db.session.get(Site, site_id) if site_id is not None else None


def ward(ward_id: int | None) -> Ward | None:
    """The ward with this id (any ward, no scoping), or None."""
    return db.session.get(Ward, ward_id) if ward_id is not None else None


def room(room_id: int | None) -> Room | None:
    """The room with this id (any ward, no scoping), or None."""
    return db.session.get(Room, room_id) if room_id is not None else None


def active_wards(ward_ids: set[int] | None) -> list[Ward]:
    """Active wards by site then ward name, each with its site loaded; only ``ward_ids`` unless None
    (every ward)."""
    query = (select(Ward).join(Site).where(Ward.active.is_(True)).order_by(Site.name, Ward.name)
             .options(contains_eager(Ward.site)))  # each card names its site
    if ward_ids is not None:
        query = query.where(Ward.id.in_(ward_ids or [0]))
    return list(db.session.scalars(query))


def ward_ids_of_site(site_id: int) -> set[int]:
    """Ids of the site's wards (active or not)."""
    return set(db.session.scalars(select(Ward.id).where(Ward.site_id == site_id)))


def ward_name_by_id() -> dict[int, str]:
    """Every ward's name by its id."""
    return dict(db.session.execute(select(Ward.id, Ward.name)).all())


def ward_names() -> list[tuple[int, str, str]]:
    """(ward id, ward name, site name) for every ward, by site then ward name."""
    rows = db.session.execute(select(Ward.id, Ward.name, Site.name).join(Site).order_by(Site.name, Ward.name))
    return [(wid, wname, sname) for wid, wname, sname in rows]


def first_trust() -> Trust | None:
    """The (first) trust: the deployment serves one."""
    return db.session.scalars(select(Trust).order_by(Trust.id)).first()
