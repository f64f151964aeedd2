"""Read-side queries for the reports' pages (the reports' data itself is collected in collect*.py).

Queries return rows or objects (or None); they never abort: the views answer 404.
"""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.estates.models import Site, Ward
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection


def recent_inspections(ward_ids: Collection[int] | None, limit: int) -> list[Inspection]:
    """The newest ``limit`` inspections (of these wards; None: all wards) with ward and site, newest first."""
    query = (select(Inspection).join(Ward, Inspection.ward_id == Ward.id)
             .options(joinedload(Inspection.ward).joinedload(Ward.site))
             .order_by(Inspection.started_at.desc(), Inspection.id.desc()).limit(limit))
    if ward_ids is not None:
        query = query.where(Inspection.ward_id.in_(ward_ids or [0]))
    return list(db.session.scalars(query))


def ward_with_trust(ward_id: int) -> Ward | None:
    """The ward with its site and trust loaded (for its label sheet), or None."""
    return db.session.scalar(select(Ward).where(Ward.id == ward_id)
                             .options(joinedload(Ward.site).joinedload(Site.trust)))
