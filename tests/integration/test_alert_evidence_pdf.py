"""The alert response evidence PDF, built from a real database and read back with pypdf."""
from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from inspect_app.alerts.evidence import collect
from inspect_app.alerts.models import Alert
from inspect_app.alerts.pdf import render_evidence
from inspect_app.auth.models import User
from inspect_app.checklists import library
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from tests.fixtures.alerts import NOW

HOSTILE = "<b>&</script>"


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def _evidence(demo, assess, **edits):
    efa = db.session.scalar(select(Alert).where(Alert.reference == "EFA/2019/003"))
    for name, value in edits.items():
        setattr(efa, name, value)
    template = library.current_published()
    assess("Larch Ward", template, [("BED-08", "open"), ("LNG-03", "closed")])
    assess("Willow Ward", template, [("ENS-05", "verified")])
    finding = db.session.scalar(select(Finding).order_by(Finding.id))
    finding.description = f"Rigid track fitted {HOSTILE}"
    db.session.commit()
    user = db.session.get(User, demo["users"]["safety_lead"])
    report = collect(efa, trust="Demo Trust", by=user, now=NOW, area_names={"BED": "Patient bedroom"})
    return report, render_evidence(report)


def test_every_page_is_marked_and_numbered(demo, assess):
    _, pdf = _evidence(demo, assess)
    texts = _texts(pdf)
    assert len(texts) >= 2
    for number, text in enumerate(texts, 1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, number  # top and bottom
        assert f"Page {number} of {len(texts)}" in text
    meta = PdfReader(BytesIO(pdf)).metadata
    assert meta.title == "Alert response evidence \u2014 EFA/2019/003"
    assert meta.author == "Dr Helen Marsh"


def test_cover_gives_the_alert_scope_response_deadlines_and_items(demo, assess):
    _, pdf = _evidence(demo, assess, required_actions=f"Check every rail {HOSTILE}")
    first = _texts(pdf)[0]
    for text in ("Alert response evidence", "EFA/2019/003", "11 Mar 2019", "Restricted",
                 "Action underway by", "No date given", "Not started", "BED-08 (Ligature point inspection",
                 f"Check every rail {HOSTILE}", "6 wards in scope", "Not yet assessed: 4"):
        assert text in first, text


def test_each_ward_lists_its_inspection_points_and_action_status(demo, assess):
    report, pdf = _evidence(demo, assess)
    everything = "\n".join(_texts(pdf))
    larch = everything[everything.index("Larch Ward \u00b7 Ashdown"):everything.index("Rowan Ward \u00b7")]
    flat = " ".join(larch.split())
    assert re.search(r"INS-\d{5}, signed off 14 Mar 2025", larch)
    assert f"Rigid track fitted {HOSTILE}" in flat  # user text escaped, printed literally
    assert re.search(r"LP-\d{5} Bedroom 1 BED-08 Rigid track fitted .* Extreme \(\d+\) ACT-\d{5} Open Open 21 Mar 2025", flat)
    assert re.search(r"LP-\d{5} Day room LNG-03 .* ACT-\d{5} Closed 21 Mar 2025", flat)
    willow = everything[everything.index("Willow Ward \u00b7"):]
    assert "Verified" in willow and "Assessed, actions open" in willow  # verified is not closed yet
    hazel = everything[everything.index("Hazel Ward \u00b7"):]
    assert "Not yet assessed with a checklist covering this alert" in hazel
    assert len(report.wards) == 6
