"""Drafting a checklist version that adds an alert's items: merge an items file into a copy of a
published version (through ``checklists.library``), and add or edit single items in a draft."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from inspect_app.alerts import citations
from inspect_app.alerts.models import Alert, ItemAlertCitation
from inspect_app.audit.services import record
from inspect_app.checklists import library
from inspect_app.checklists.models import ChecklistItem, ChecklistTemplate, TemplateStatus
from inspect_app.estates.models import AreaType
from inspect_app.extensions import db


def _cite(alert: Alert) -> dict[str, str]:
    return {"reference": alert.reference} if alert.reference else {"title": alert.title}


def merge_items(doc: dict[str, Any], items_doc: Any, alert: Alert) -> dict[str, Any]:
    """``doc`` (an exported template) with the items of ``items_doc`` added or replaced by code.

    ``items_doc`` is ``{"area_types": [{"code": "BED", "items": [...]}, ...]}`` in the library
    format; an area type new to the checklist also needs its name and default tier. Items that
    cite no alert are marked as implementing ``alert``.

    :param doc: a library document, from ``library.export_template``.
    :param items_doc: the uploaded items.
    :param alert: the alert the items implement.
    """
    if not isinstance(items_doc, dict) or not isinstance(items_doc.get("area_types"), list):
        raise library.LibraryError("The items file must be a JSON object with an 'area_types' list.")
    areas = {area["code"]: area for area in doc["area_types"]}
    for index, upload in enumerate(items_doc["area_types"], 1):
        if not isinstance(upload, dict) or not isinstance(upload.get("items"), list):
            raise library.LibraryError(f"Area type {index} in the items file needs an 'items' list.")
        code = upload.get("code")
        area = areas.get(code)
        if area is None:
            area = {key: upload.get(key) for key in ("code", "name", "default_tier", "description")}
            area["items"] = []
            doc["area_types"].append(area)
            areas[code] = area
        positions = {item["code"]: i for i, item in enumerate(area["items"])}
        for item in upload["items"]:
            if isinstance(item, dict) and not item.get("alerts"):
                item = {**item, "alerts": [_cite(alert)]}
            code_of = item.get("code") if isinstance(item, dict) else None
            if code_of in positions:
                area["items"][positions[code_of]] = item
            else:
                area["items"].append(item)
    return doc


def draft_with_items(base: ChecklistTemplate, alert: Alert, *, version: str, items_doc: Any | None, by,
                     now: datetime) -> ChecklistTemplate:
    """A new draft version copied from ``base`` (citations carried), with the uploaded items merged in.

    :param base: the version to start from.
    :param alert: the alert the new items implement.
    :param version: the new version number.
    :param items_doc: an items file (see :func:`merge_items`), or None for a plain copy.
    :param by: the acting user.
    :param now: the time of the change.
    """
    doc = library.export_template(base)
    doc["version"] = (version or "").strip()
    if items_doc is not None:
        doc = merge_items(doc, items_doc, alert)
    return library.import_library(doc, by=by, now=now, publish=False)


def _guard(template: ChecklistTemplate) -> None:
    if template.status != TemplateStatus.DRAFT.value:
        raise library.LibraryError("Only a draft version can be edited; start a new version first.")


def save_item(template: ChecklistTemplate, item: ChecklistItem | None, *, area_type: AreaType, code: str,
              category: str, prompt: str, guidance: str | None, by, now: datetime, kind: str = "ligature",
              default_priority: str | None = None, default_tier: str | None = None) -> ChecklistItem:
    """Add an item to a draft (``item`` None) or change one; codes stay unique within the version.

    :param template: the draft version.
    :param item: the item to change, or None to add one at the end of its area type.
    :param area_type: the area type the item belongs to.
    :param code: the stable item code (kept when editing, so findings stay comparable).
    :param category: the fixture category.
    :param prompt: the question.
    :param guidance: optional guidance.
    :param by: the acting user.
    :param now: the time of the change.
    :param kind: "ligature" or "check" (checked as the library file is).
    :param default_priority: a check item's action priority (a band value).
    :param default_tier: the tier the item is written for (None: the area type's).
    """
    _guard(template)
    scope = library.item_fields({"kind": kind, "default_priority": default_priority or None,
                                 "default_tier": default_tier or None,
                                 "patient_groups": item.group_list if item else [],
                                 "inspection_types": item.type_list if item else []},
                                f"Item {code}", area_type.default_tier, [])
    code = (code or "").strip().upper()
    if not library.CODE_RE.match(code):
        raise library.LibraryError(f"Item code '{code}' is invalid: use capital letters, digits and hyphens.")
    clash = db.session.scalar(select(ChecklistItem).where(ChecklistItem.template_id == template.id,
                                                          ChecklistItem.code == code))
    if clash is not None and clash is not item:
        raise library.LibraryError(f"This version already has an item {code}.")
    values = {"code": code, "category": category.strip(), "prompt": prompt.strip(),
              "guidance": (guidance or "").strip() or None, "area_type_id": area_type.id, "kind": scope["kind"],
              "default_priority": scope["default_priority"], "default_tier": scope["default_tier"]}
    if item is None:
        last = db.session.scalar(select(func.max(ChecklistItem.order)).where(
            ChecklistItem.template_id == template.id, ChecklistItem.area_type_id == area_type.id)) or 0
        item = ChecklistItem(template=template, order=last + 1, **values)
        db.session.add(item)
        record("checklist.item_add", item, by=by, now=now, new=values)
        return item
    old = {key: getattr(item, key) for key in values}
    for key, value in values.items():
        setattr(item, key, value)
    record("checklist.item_edit", item, by=by, now=now, old=old, new=values)
    return item


def set_citation(item: ChecklistItem, alert: Alert, *, cites: bool, section: str | None, by,
                 now: datetime) -> None:
    """Make a draft item cite ``alert`` (with its section) or stop citing it.

    :param item: an item of a draft version.
    :param alert: the alert concerned.
    :param cites: whether the item implements the alert.
    :param section: the alert's section, if known.
    :param by: the acting user.
    :param now: the time of the change.
    """
    _guard(item.template)
    if cites:
        citations.set_item_citation(item, alert, section=section, by=by, now=now)
    else:
        others = set(db.session.scalars(select(ItemAlertCitation.alert_id).where(
            ItemAlertCitation.item_id == item.id, ItemAlertCitation.alert_id != alert.id)))
        citations.remove_item_citations(item, keep=others, by=by, now=now)
