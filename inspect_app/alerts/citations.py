"""Checklist items citing alerts, and the ``"alerts"`` key of the library JSON format.

In a library file an item may carry ``"alerts": [{"reference": "EFA/2019/003", "section": "..."}]``
(or ``{"title": ...}`` for an alert whose number is not verified). ``checklists.library`` calls
:func:`cite_from_doc` on import and :func:`citation_docs` on export, so ``new_draft_from``
carries every citation into the new version.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from inspect_app.alerts import services
from inspect_app.alerts.models import Alert, ItemAlertCitation
from inspect_app.audit.services import record
from inspect_app.checklists.library import LibraryError
from inspect_app.checklists.models import ChecklistItem, ChecklistTemplate
from inspect_app.extensions import db

SECTION_LIMIT = 120


def _entries(raw: Any, where: str) -> list[dict[str, str | None]]:
    if not isinstance(raw, list):
        raise LibraryError(f"{where}: 'alerts' must be a list.")
    clean = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise LibraryError(f"{where}: each entry of 'alerts' must be an object.")
        reference, title, section = (entry.get(k) for k in ("reference", "title", "section"))
        if not any(isinstance(v, str) and v.strip() for v in (reference, title)):
            raise LibraryError(f"{where}: an alert citation needs a 'reference' or a 'title'.")
        if section is not None and (not isinstance(section, str) or len(section) > SECTION_LIMIT):
            raise LibraryError(f"{where}: an alert 'section' must be text of at most {SECTION_LIMIT} characters.")
        clean.append({"reference": (reference or "").strip() or None, "title": (title or "").strip() or None,
                      "section": (section or "").strip() or None})
    return clean


def cite_from_doc(item: ChecklistItem, raw: Any, *, by, now: datetime) -> None:
    """Create the citations an imported item declares.

    An alert not in the register is added from the built-in alert list when it is there;
    otherwise the import is refused, because a citation must point at a real alert record.

    :param item: the new checklist item (of the template being imported).
    :param raw: the item's ``"alerts"`` value from the library document.
    :param by: the acting user (None for the system).
    :param now: the time of the import.
    """
    seen: set[int] = set()
    for entry in _entries(raw, f"Item {item.code}"):
        alert = services.ensure_builtin_alert(reference=entry["reference"], title=entry["title"], by=by, now=now)
        if alert is None:
            raise LibraryError(f"Item {item.code} cites {entry['reference'] or entry['title']}, which is not in "
                               "the alert register; record the alert first.")
        if alert.id in seen:
            raise LibraryError(f"Item {item.code} cites {alert.label} twice.")
        seen.add(alert.id)
        db.session.add(ItemAlertCitation(item=item, alert=alert, section=entry["section"]))


def citation_docs(template: ChecklistTemplate) -> dict[int, list[dict[str, str]]]:
    """``{item id: [{"reference"|"title": ..., "section": ...}]}`` for a template's cited items."""
    rows = db.session.execute(
        select(ItemAlertCitation, Alert).join(Alert).join(ChecklistItem)
        .where(ChecklistItem.template_id == template.id).order_by(ItemAlertCitation.id)).all()
    docs: dict[int, list[dict[str, str]]] = {}
    for citation, alert in rows:
        doc = {"reference": alert.reference} if alert.reference else {"title": alert.title}
        if citation.section:
            doc["section"] = citation.section
        docs.setdefault(citation.item_id, []).append(doc)
    return docs


def set_item_citation(item: ChecklistItem, alert: Alert, *, section: str | None, by, now: datetime) -> None:
    """Make ``item`` cite ``alert`` (or update the section) in a draft checklist version.

    :param item: an item of a draft template.
    :param alert: the alert it implements.
    :param section: the alert's section or paragraph, if known.
    :param by: the acting user.
    :param now: the time of the change.
    """
    section = (section or "").strip()[:SECTION_LIMIT] or None
    citation = db.session.scalar(select(ItemAlertCitation).where(
        ItemAlertCitation.item_id == item.id, ItemAlertCitation.alert_id == alert.id))
    if citation is None:
        citation = ItemAlertCitation(item=item, alert=alert)
        db.session.add(citation)
    citation.section = section
    record("checklist.cite_alert", item, by=by, now=now,
           new={"code": item.code, "alert": alert.label, "section": section})


def remove_item_citations(item: ChecklistItem, *, keep: set[int], by, now: datetime) -> None:
    """Drop ``item``'s citations of alerts whose id is not in ``keep``.

    :param item: an item of a draft template.
    :param keep: ids of the alerts still cited.
    :param by: the acting user.
    :param now: the time of the change.
    """
    for citation in db.session.scalars(select(ItemAlertCitation).where(ItemAlertCitation.item_id == item.id)):
        if citation.alert_id not in keep:
            record("checklist.uncite_alert", item, by=by, now=now,
                   old={"code": item.code, "alert": citation.alert.label})
            db.session.delete(citation)
