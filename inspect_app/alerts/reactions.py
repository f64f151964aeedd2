"""Alert citations travel with the checklist library (``inspect_app.events``): an imported item's
``"alerts"`` become citations, and an exported item lists the alerts it implements."""
from __future__ import annotations

from inspect_app import events
from inspect_app.alerts import citations


@events.library_item_imported.connect
def cite_imported_item(item, *, doc, by, now, **_) -> None:
    if doc.get("alerts"):
        citations.cite_from_doc(item, doc["alerts"], by=by, now=now)


@events.library_exporting.connect
def exported_citations(template, **_) -> dict:
    return {item_id: {"alerts": cited} for item_id, cited in citations.citation_docs(template).items()}
