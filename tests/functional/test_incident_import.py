"""Importing incidents from a CSV export: mapping, preview with every bad row and its reason,
all-or-nothing import in one transaction, idempotent on the incident reference."""
from __future__ import annotations

import html
import io

from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.incidents.models import Incident

HEADER = "Datix ID,Incident date,Ward name,Exact location,Incident type,Harm level,Anchor point,Brief description\n"
GOOD = ("DW-501,01/03/2026 14:30,Larch Ward,Bedroom 1,Fully suspended,Moderate harm,Wardrobe door,Found by staff\n"
        "DW-502,2026-03-02 09:10,Willow Ward,Seclusion suite,Near miss,None,,\n")
BAD = ("DW-503,2026-03-03 10:00,Larch Ward,Bedroom 1,Near miss,Low,,NHS no 943 476 5919\n"
       "DW-504,yesterday,Larch Ward,Bedroom 1,Near miss,Low,,\n"
       "DW-505,2026-03-03 10:00,Larch Ward,Broom cupboard,Near miss,Low,,\n"
       "DW-506,2026-03-03 10:00,Larch Ward,Bedroom 1,Strangled,Low,,\n")


def _upload(auth, text: str, bom: bool = False):
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    return auth.post("/incidents/import/", {"step": "upload", "file": (io.BytesIO(data), "export.csv")},
                     page="/incidents/import/", content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Incident))


def test_preview_lists_every_bad_row_with_its_reason_and_imports_nothing(demo, auth):
    auth.login("safety@demo.nhs.test")
    page = html.unescape(_upload(auth, HEADER + GOOD + BAD, bom=True).get_data(as_text=True))
    assert "2 to import" in page and "4 with problems" in page
    assert "Row 4: Summary: This looks like an NHS number" in page
    assert "943 476 5919" not in page.split("Rows that cannot")[1].split("</ul>")[0]  # not repeated back
    assert "Row 5: The date 'yesterday'" in page
    assert "Row 6: No room 'Broom cupboard'" in page
    assert "Row 7: Type 'Strangled' is not one of" in page
    assert "Import 2 incident(s)" not in page  # no import button while any row is bad
    forced = auth.post("/incidents/import/", {"step": "import", "csv_text": HEADER + GOOD + BAD},
                       page="/incidents/import/")
    assert forced.status_code == 422 and "nothing was imported" in forced.get_data(as_text=True)
    assert _count() == 0


def test_import_after_preview_then_reimport_adds_nothing(demo, auth):
    auth.login("safety@demo.nhs.test")
    page = _upload(auth, HEADER + GOOD).get_data(as_text=True)
    assert "Import 2 incident(s)" in page
    response = auth.post("/incidents/import/", {"step": "import", "csv_text": HEADER + GOOD},
                         page="/incidents/import/")
    assert response.status_code == 302
    imported = db.session.scalars(select(Incident).order_by(Incident.reference)).all()
    assert [(i.reference, i.incident_type, i.outcome, i.source) for i in imported] == [
        ("DW-501", "fully_suspended", "moderate", "import"), ("DW-502", "near_miss", "no_harm", "import")]
    assert imported[0].needs_point and imported[0].fixture_category == "Wardrobe door"
    again = _upload(auth, HEADER + GOOD).get_data(as_text=True)
    assert "0 to import" in again and "2 already recorded" in again
    assert _count() == 2


def test_an_entered_mapping_reads_unrecognised_headers(demo, auth):
    auth.login("safety@demo.nhs.test")
    text = "A,B,C,D,E,F\nX-1,2026-03-01 10:00,Larch Ward,Bedroom 1,Near miss,Low harm\n"
    refused = _upload(auth, text)
    assert refused.status_code == 422 and "Choose a column for" in refused.get_data(as_text=True)
    mapping = {"map-reference": "A", "map-occurred_at": "B", "map-ward": "C", "map-room": "D",
               "map-incident_type": "E", "map-outcome": "F"}
    page = auth.post("/incidents/import/", {"step": "preview", "csv_text": text, **mapping},
                     page="/incidents/import/").get_data(as_text=True)
    assert "1 to import" in page


def test_files_that_cannot_be_read_are_refused_with_a_message(demo, auth):
    auth.login("safety@demo.nhs.test")
    latin_file = (io.BytesIO("Réf\n".encode("latin-1")), "x.csv")
    latin = auth.post("/incidents/import/", {"step": "upload", "file": latin_file},
                      page="/incidents/import/", content_type="multipart/form-data")
    assert latin.status_code == 422 and "not UTF-8" in latin.get_data(as_text=True)
    big = auth.post("/incidents/import/", {"step": "upload", "file": (io.BytesIO(b"a" * 1_000_001), "x.csv")},
                    page="/incidents/import/", content_type="multipart/form-data")
    big.request.environ["wsgi.input"].close()  # the test client spooled the large body to a file
    assert big.status_code in (413, 422)


def test_ward_managers_cannot_import(demo, auth):
    auth.login("manager@demo.nhs.test")
    assert auth.client.get("/incidents/import/").status_code == 403


def test_the_command_line_import_applies_the_same_rules(app, demo, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(HEADER + GOOD + BAD, encoding="utf-8")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["incidents", "import", str(path), "--as", "safety@demo.nhs.test"])
    assert refused.exit_code != 0 and "row 4: Summary: This looks like an NHS number" in refused.output
    assert "nothing was imported" in refused.output
    manager = runner.invoke(args=["incidents", "import", str(path), "--as", "manager@demo.nhs.test"])
    assert manager.exit_code != 0 and "safety lead or admin" in manager.output
    path.write_text(HEADER + GOOD, encoding="utf-8")
    done = runner.invoke(args=["incidents", "import", str(path), "--as", "safety@demo.nhs.test"])
    assert done.exit_code == 0 and "Imported 2 incident(s)." in done.output
    again = runner.invoke(args=["incidents", "import", str(path), "--as", "safety@demo.nhs.test"])
    assert "Imported 0 incident(s)." in again.output and _count() == 2
