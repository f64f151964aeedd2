"""Read-only lookups of checklist versions, their items and the area types items belong to."""
from __future__ import annotations

from sqlalchemy import func, select

from inspect_app.checklists.models import ChecklistItem, ChecklistTemplate, TemplateStatus
from inspect_app.estates.models import AreaType
from inspect_app.extensions import db


def get_template(template_id: int) -> ChecklistTemplate | None:
    """The checklist version with this id, or None."""
    return db.session.get(ChecklistTemplate, template_id)


def get_item(item_id: int | None) -> ChecklistItem | None:
    """The checklist item with this id (of any version), or None (also for no id)."""
    return db.session.get(ChecklistItem, item_id) if item_id else None


def templates_by_name() -> list[ChecklistTemplate]:
    """Every checklist version, by name and newest first within a name."""
    return list(db.session.scalars(select(ChecklistTemplate).order_by(
        ChecklistTemplate.name, ChecklistTemplate.created_at.desc(), ChecklistTemplate.id.desc())))


def item_counts() -> dict[int, int]:
    """``{template id: number of items}`` over every version that has items."""
    return dict(db.session.execute(select(ChecklistItem.template_id, func.count())
                                   .group_by(ChecklistItem.template_id)).all())


def unarchived_templates() -> list[ChecklistTemplate]:
    """Versions that are not archived: published first, then drafts, newest first within each."""
    return list(db.session.scalars(select(ChecklistTemplate).where(
        ChecklistTemplate.status != TemplateStatus.ARCHIVED.value).order_by(
        ChecklistTemplate.status.desc(), ChecklistTemplate.created_at.desc(), ChecklistTemplate.id.desc())))


def area_types_by_name() -> list[AreaType]:
    """Every area type a checklist item can belong to, by name."""
    return list(db.session.scalars(select(AreaType).order_by(AreaType.name)))


def get_area_type(area_type_id: int) -> AreaType | None:
    """The area type with this id, or None."""
    return db.session.get(AreaType, area_type_id)
