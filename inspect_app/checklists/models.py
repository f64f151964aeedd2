"""Checklist library: versioned templates of items per area type."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.clock import utcnow
from inspect_app.extensions import db

if TYPE_CHECKING:
    from inspect_app.estates.models import AreaType


class TemplateStatus(str, Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ChecklistTemplate(db.Model):
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=TemplateStatus.DRAFT.value)
    source_reference: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="template", order_by="(ChecklistItem.area_type_id, ChecklistItem.order)"
    )

    @property
    def title(self) -> str:
        return self.title_of(self.name, self.version)

    @staticmethod
    def title_of(name: str, version: str) -> str:
        """A template's title from its name and version (for pages that read the columns alone)."""
        return f"{name} v{version}"

    def items_for(self, area_type_id: int) -> list[ChecklistItem]:
        return [item for item in self.items if item.area_type_id == area_type_id]


class ChecklistItem(db.Model):
    __table_args__ = (UniqueConstraint("template_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    area_type_id: Mapped[int] = mapped_column(ForeignKey("area_type.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(80))
    prompt: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str | None] = mapped_column(Text)
    order: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10), default="ligature")  # domain.checklist.ItemKind
    # A check item's fail raises an action at this band's deadlines (no 5x5 grade); domain.risk.Band.
    default_priority: Mapped[str | None] = mapped_column(String(20))
    default_tier: Mapped[str | None] = mapped_column(String(4))  # the tier the item is written for
    # "|camhs|older_adult|": the item is limited to (or added for) these patient groups; None: every
    # group. "|routine|spot|": the lighter inspection types whose subset includes the item. Stored
    # delimited, not as JSON, so the walk's counts select items with a portable LIKE.
    patient_groups: Mapped[str | None] = mapped_column(String(300))
    inspection_types: Mapped[str | None] = mapped_column(String(100))

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")
    area_type: Mapped[AreaType] = relationship()

    @property
    def group_list(self) -> list[str]:
        return split_tags(self.patient_groups)

    @property
    def type_list(self) -> list[str]:
        return split_tags(self.inspection_types)

    @property
    def is_check(self) -> bool:
        return self.kind == "check"

    @property
    def passing_answer(self) -> str:
        """The answer that says all is well: "compliant", or "pass" for a check item."""
        return "pass" if self.kind == "check" else "compliant"


def join_tags(values) -> str | None:
    """A list of codes as the delimited column value (None for an empty list)."""
    values = [v for v in dict.fromkeys(values or ()) if v]
    return "|" + "|".join(values) + "|" if values else None


def split_tags(value: str | None) -> list[str]:
    return [v for v in (value or "").split("|") if v]
