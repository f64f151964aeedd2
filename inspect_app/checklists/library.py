"""Import, export, versioning and publishing of checklist templates.

The JSON format is the one of ``data/library.json``: area types, each with ordered items.
Item codes are stable across versions so findings can be compared between inspections.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select

from inspect_app import events
from inspect_app.audit.services import record
from inspect_app.checklists.models import ChecklistItem, ChecklistTemplate, TemplateStatus, join_tags, split_tags
from inspect_app.domain.checklist import InspectionType, ItemKind
from inspect_app.domain.library_changes import ItemFacts, LibraryChanges, compare, ward_affected
from inspect_app.domain.risk import Band, Tier
from inspect_app.estates.models import AreaType, PatientGroup, Room, Ward
from inspect_app.extensions import db

BUILTIN_PATH = Path(__file__).parent / "data" / "library.json"
FORMAT = "ward-safety-inspect/checklist-library"
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")


class LibraryError(ValueError):
    """The library file or the requested change is not acceptable; the message says why."""


def load_builtin() -> dict[str, Any]:
    return json.loads(BUILTIN_PATH.read_text(encoding="utf-8"))


def _text(obj: dict, key: str, where: str, *, required: bool = True, limit: int = 2000) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise LibraryError(f"{where}: '{key}' is missing.")
        return None
    if not isinstance(value, str):
        raise LibraryError(f"{where}: '{key}' must be text.")
    if len(value) > limit:
        raise LibraryError(f"{where}: '{key}' is longer than {limit} characters.")
    return value.strip()


GROUPS = tuple(g.value for g in PatientGroup)
# The lighter inspection types whose subset an item can join (the full ones use every item).
SUBSET_TYPES = tuple(t.value for t in InspectionType if not t.uses_full_checklist)


def _codes(obj: dict, key: str, where: str, allowed: tuple[str, ...]) -> list[str]:
    value = obj.get(key)
    if value in (None, []):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LibraryError(f"{where}: '{key}' must be a list of codes.")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise LibraryError(f"{where}: '{key}' has unknown code(s) {', '.join(unknown)}; use {', '.join(allowed)}.")
    return list(dict.fromkeys(value))


def item_fields(item: dict, where: str, area_tier: str, area_groups: list[str]) -> dict[str, Any]:
    """The kind, priority, tier and scope of one item, checked as the library file is (README: the
    library format); the item editor uses it too. ``area_groups`` limit the item's groups."""
    kind = item.get("kind") or ItemKind.LIGATURE.value
    if kind not in {k.value for k in ItemKind}:
        raise LibraryError(f"{where}: kind must be 'ligature' or 'check'.")
    priority = item.get("default_priority")
    if kind == ItemKind.CHECK.value:
        if priority not in {b.value for b in Band}:
            raise LibraryError(f"{where}: a check item needs a default_priority (low, moderate, high or extreme).")
    elif priority is not None:
        raise LibraryError(f"{where}: only a check item has a default_priority (a ligature point is graded).")
    tier = item.get("default_tier") or area_tier
    try:
        Tier(tier)
    except ValueError:
        raise LibraryError(f"{where}: default_tier must be T1, T2, T3 or NP.") from None
    groups = _codes(item, "patient_groups", where, GROUPS)
    if area_groups:  # an area limited to groups limits its items too
        outside = [g for g in groups if g not in area_groups]
        if outside:
            raise LibraryError(f"{where}: its area is limited to {', '.join(area_groups)}.")
        groups = groups or list(area_groups)
    return {"kind": kind, "default_priority": priority, "default_tier": tier, "patient_groups": groups,
            "inspection_types": _codes(item, "inspection_types", where, SUBSET_TYPES)}


def validate(data: Any) -> dict[str, Any]:
    """Check a library document and return it normalised; raise LibraryError with the first problem."""
    if not isinstance(data, dict):
        raise LibraryError("The file must contain a JSON object.")
    name = _text(data, "name", "Library", limit=200)
    version = _text(data, "version", "Library", limit=40)
    areas = data.get("area_types")
    if not isinstance(areas, list) or not areas:
        raise LibraryError("Library: 'area_types' must be a non-empty list.")
    seen_codes: set[str] = set()
    seen_areas: set[str] = set()
    clean_areas = []
    for a_index, area in enumerate(areas, 1):
        if not isinstance(area, dict):
            raise LibraryError(f"Area type {a_index} must be an object.")
        code = _text(area, "code", f"Area type {a_index}", limit=20)
        if not CODE_RE.match(code) or code in seen_areas:
            raise LibraryError(f"Area type {a_index}: code '{code}' is invalid or repeated.")
        seen_areas.add(code)
        tier = _text(area, "default_tier", f"Area type {code}", limit=4)
        try:
            Tier(tier)
        except ValueError:
            raise LibraryError(f"Area type {code}: default_tier must be T1, T2, T3 or NP.") from None
        area_groups = _codes(area, "patient_groups", f"Area type {code}", GROUPS)
        items = area.get("items")
        if not isinstance(items, list):
            raise LibraryError(f"Area type {code}: 'items' must be a list.")
        clean_items = []
        for i_index, item in enumerate(items, 1):
            where = f"Area type {code}, item {i_index}"
            if not isinstance(item, dict):
                raise LibraryError(f"{where} must be an object.")
            icode = _text(item, "code", where, limit=20)
            if not CODE_RE.match(icode) or icode in seen_codes:
                raise LibraryError(f"{where}: code '{icode}' is invalid or repeated.")
            seen_codes.add(icode)
            clean = {
                "code": icode,
                "category": _text(item, "category", where, limit=80),
                "prompt": _text(item, "prompt", where),
                "guidance": _text(item, "guidance", where, required=False),
                **item_fields(item, where, tier, area_groups),
            }
            for extra in ("alerts",):  # carried through untouched for features that use them
                if extra in item:
                    clean[extra] = item[extra]
            clean_items.append(clean)
        clean_areas.append({
            "code": code,
            "name": _text(area, "name", f"Area type {code}", limit=120),
            "default_tier": tier,
            "description": _text(area, "description", f"Area type {code}", required=False),
            "source": _text(area, "source", f"Area type {code}", required=False),
            "patient_groups": area_groups,
            "items": clean_items,
        })
    return {**data, "name": name, "version": version, "area_types": clean_areas,
            "source_reference": _text(data, "source_reference", "Library", required=False, limit=4000)}


def import_library(data: Any, *, by, now: datetime, publish: bool = False) -> ChecklistTemplate:
    """Create a new template version from a library document (a draft unless ``publish``)."""
    doc = validate(data)
    exists = db.session.scalar(select(ChecklistTemplate).where(
        ChecklistTemplate.name == doc["name"], ChecklistTemplate.version == doc["version"]))
    if exists is not None:
        raise LibraryError(f"{doc['name']} version {doc['version']} already exists; give the file a new version.")
    areas = {a.code: a for a in db.session.scalars(select(AreaType))}
    template = ChecklistTemplate(name=doc["name"], version=doc["version"], status=TemplateStatus.DRAFT.value,
                                 source_reference=doc.get("source_reference"), created_at=now)
    db.session.add(template)
    for area_doc in doc["area_types"]:
        area = areas.get(area_doc["code"])
        if area is None:
            area = AreaType(code=area_doc["code"])
            db.session.add(area)
            areas[area.code] = area
        area.name = area_doc["name"]
        area.default_tier = area_doc["default_tier"]
        area.description = area_doc["description"]
        area.source = area_doc["source"]
        for order, item in enumerate(area_doc["items"], 1):
            row = ChecklistItem(area_type=area, code=item["code"], category=item["category"],
                                prompt=item["prompt"], guidance=item["guidance"], order=order, kind=item["kind"],
                                default_priority=item["default_priority"], default_tier=item["default_tier"],
                                patient_groups=join_tags(item["patient_groups"]),
                                inspection_types=join_tags(item["inspection_types"]))
            template.items.append(row)
            events.library_item_imported.send(row, doc=item, by=by, now=now)  # alerts cites what the item declares
    record("checklist.import", template, by=by, now=now,
           new={"name": template.name, "version": template.version, "items": len(template.items)})
    if publish:
        publish_template(template, by=by, now=now)
    return template


def _facts(template: ChecklistTemplate | None) -> list[ItemFacts]:
    if template is None:
        return []
    return [ItemFacts(code=i.code, area=i.area_type.code, category=i.category, prompt=i.prompt, guidance=i.guidance,
                      tier=i.default_tier or i.area_type.default_tier, kind=i.kind, priority=i.default_priority,
                      groups=tuple(split_tags(i.patient_groups)), types=tuple(split_tags(i.inspection_types)))
            for i in template.items]


def publish_preview(template: ChecklistTemplate) -> tuple[ChecklistTemplate | None, LibraryChanges, list]:
    """What publishing ``template`` would change: the published version it replaces (None if none),
    the item changes, and the active wards whose inspections would see them (by name)."""
    current = current_published(template.name)
    if current is not None and current.id == template.id:
        current = None
    changes = compare(_facts(current), _facts(template))
    areas: dict[int, set[str]] = {}
    for ward_id, code in db.session.execute(select(Room.ward_id, AreaType.code).join(
            AreaType, AreaType.id == Room.area_type_id).where(Room.active.is_(True)).distinct()):
        areas.setdefault(ward_id, set()).add(code)
    wards = [ward for ward in db.session.scalars(select(Ward).where(Ward.active.is_(True)).order_by(Ward.name))
             if ward_affected(changes, area_codes=areas.get(ward.id, ()), patient_group=ward.patient_group)]
    return current, changes, wards


def publish_template(template: ChecklistTemplate, *, by, now: datetime) -> None:
    """Publish a draft; the previously published version of the same name is archived.

    Inspections keep the template they pinned, so nothing about them changes. A draft whose
    content is identical to the published version is refused: publishing it would change no
    question, yet mark every assessed ward as assessed with an older version.
    """
    if template.status != TemplateStatus.DRAFT.value:
        raise LibraryError("Only a draft can be published.")
    if not template.items:
        raise LibraryError("A checklist with no items cannot be published.")
    current = current_published(template.name)
    if current is not None and compare(_facts(current), _facts(template)).is_noop:
        raise LibraryError(f"{template.title} has the same content as the published {current.title}: "
                           "nothing would change, so it was not published.")
    for other in db.session.scalars(select(ChecklistTemplate).where(
            ChecklistTemplate.name == template.name, ChecklistTemplate.status == TemplateStatus.PUBLISHED.value)):
        other.status = TemplateStatus.ARCHIVED.value
        record("checklist.archive", other, by=by, now=now, new={"status": other.status})
    template.status = TemplateStatus.PUBLISHED.value
    template.published_at = now
    record("checklist.publish", template, by=by, now=now, new={"status": template.status})


def published_newest_first(*columns, name: str | None = None) -> Select:
    """Published templates (of ``name`` when given), newest first; the first is the current one."""
    query = select(*(columns or [ChecklistTemplate])).where(ChecklistTemplate.status == TemplateStatus.PUBLISHED.value)
    if name:
        query = query.where(ChecklistTemplate.name == name)
    return query.order_by(ChecklistTemplate.published_at.desc(), ChecklistTemplate.id.desc())


def current_published(name: str | None = None) -> ChecklistTemplate | None:
    """The newest published template (of ``name`` when given)."""
    return db.session.scalar(published_newest_first(name=name))


def export_template(template: ChecklistTemplate) -> dict[str, Any]:
    """The template as a library document that ``import_library`` accepts (after a version bump)."""
    extra: dict[int, dict[str, Any]] = {}
    for _receiver, fields in events.library_exporting.send(template):  # alerts adds each item's citations
        for item_id, values in (fields or {}).items():
            extra.setdefault(item_id, {}).update(values)
    areas: dict[int, dict[str, Any]] = {}
    for item in sorted(template.items, key=lambda i: (i.area_type.code, i.order)):
        area = item.area_type
        doc = areas.setdefault(area.id, {"code": area.code, "name": area.name, "default_tier": area.default_tier,
                                         "description": area.description, "source": area.source, "items": []})
        doc["items"].append({"code": item.code, "kind": item.kind, "category": item.category, "prompt": item.prompt,
                             "guidance": item.guidance, "default_tier": item.default_tier or area.default_tier,
                             **({"default_priority": item.default_priority} if item.default_priority else {}),
                             **({"patient_groups": split_tags(item.patient_groups)} if item.patient_groups else {}),
                             **({"inspection_types": split_tags(item.inspection_types)}
                                if item.inspection_types else {}),
                             **extra.get(item.id, {})})
    return {"format": FORMAT, "format_version": 1, "name": template.name, "version": template.version,
            "source_reference": template.source_reference, "area_types": list(areas.values())}


def new_draft_from(template: ChecklistTemplate, *, version: str, by, now: datetime) -> ChecklistTemplate:
    """Start a new draft version as a copy of ``template``."""
    doc = export_template(template)
    doc["version"] = (version or "").strip()
    return import_library(doc, by=by, now=now, publish=False)
