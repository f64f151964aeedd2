"""Builders for report snapshots used by the PDF tests and ``bench/pdf_build.py``.

Every builder returns frozen dataclasses from :mod:`inspect_app.reports.data` with
overridable defaults; photos are real 800 px JPEGs written with Pillow to a folder the
caller owns (a ``tmp_path`` in tests).
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader

from inspect_app.reports.data import (
    BandInfo,
    ChangeSummary,
    InspectionReport,
    LabelSheet,
    ReportAction,
    ReportFinding,
    ReportPhoto,
    ReportRoom,
    RoomLabel,
    TrackerReport,
)

BANDS = {
    "low": BandInfo("low", "Low", "#2e7d32", "#ffffff"),
    "moderate": BandInfo("moderate", "Moderate", "#f9a825", "#000000"),
    "high": BandInfo("high", "High", "#ef6c00", "#000000"),
    "extreme": BandInfo("extreme", "Extreme", "#c62828", "#ffffff"),
}
HOSTILE = "<b>&</script>"
NOW = datetime(2025, 3, 14, 16, 45)


def band_for(score: int) -> BandInfo:
    if score <= 3:
        return BANDS["low"]
    if score <= 6:
        return BANDS["moderate"]
    return BANDS["high"] if score <= 12 else BANDS["extreme"]


BAND_MATRIX = tuple(tuple(band_for(li * ci) for ci in range(1, 6)) for li in range(1, 6))


@lru_cache(maxsize=2)
def _texture(size: tuple[int, int]) -> Image.Image:
    """Gradient plus sensor-like noise, shared by all photos of one size (noise is slow)."""
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    return Image.blend(base, Image.effect_noise(size, 40).convert("RGB"), 0.3)


def make_photo(path: Path, seed: int, *, portrait: bool = False) -> ReportPhoto:
    """A distinct 800 px JPEG (about 70-90 KB, like a real rendition) at ``path``."""
    rng = random.Random(seed)
    size = (600, 800) if portrait else (800, 600)
    tint = Image.new("RGB", size, tuple(rng.randrange(40, 220) for _ in range(3)))
    image = Image.blend(_texture(size), tint, 0.5)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + rng.randrange(40, 260), y + rng.randrange(40, 200)), fill=colour)
    draw.text((20, 20), f"photo {seed}", fill=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=80)
    return ReportPhoto(str(path), f"Photo {seed}: view of the fitting")


def make_finding(ref: str, room: str, *, likelihood: int = 4, consequence: int = 3,
                 photos: tuple[ReportPhoto, ...] = (), **overrides) -> ReportFinding:
    score = likelihood * consequence
    values = dict(
        ref=ref, room=room, location="Window, left of bed", category="Window fittings",
        description="Exposed window restrictor arm; the gap behind it could hold a ligature.",
        likelihood=likelihood, consequence=consequence, score=score, band=band_for(score),
        tier="Tier 3", existing_controls="Hourly observation; room locked when not in use.",
        mitigation="Replace with a flush anti-ligature restrictor.",
        recommended_action="Estates to fit anti-ligature restrictor; box in the gap meanwhile.",
        carry_forward=None, photos=photos,
        grade_reasons=("Tier 3 area: bedroom where patients spend long periods alone",),
    )
    values.update(overrides)
    return ReportFinding(**values)


def make_action(index: int, finding: ReportFinding | None = None, **overrides) -> ReportAction:
    band = finding.band if finding else BANDS[("extreme", "high", "moderate", "low")[index % 4]]
    overdue = 5 + index if index % 3 == 0 else 0
    values = dict(
        ref=f"ACT-{index:04d}", finding_ref=finding.ref if finding else f"LP-{index:04d}",
        room=finding.room if finding else f"Bedroom {index}",
        summary="Fit anti-ligature window restrictor and make good the reveal.",
        band=band, owner="Estates: J. Patel",
        target_date=NOW.date() - timedelta(days=overdue) if overdue
        else date(2025, 4, 1) + timedelta(days=index),
        interim_control="Enhanced observation (every 15 minutes)" if index % 2 else None,
        interim_by=datetime(2025, 3, 15, 12, 0) if index % 2 else None,
        status="Open", age_days=10 + index, overdue_days=overdue,
        ward="Willow Ward", site="Fernbrook Demo Hospital",
    )
    values.update(overrides)
    return ReportAction(**values)


def make_inspection(photo_dir: Path, *, rooms: int = 3, findings_per_room: int = 2,
                    photos_per_finding: int = 1, signed: bool = False, actions: int | None = None,
                    not_accessible: int = 1, first_finding_overrides: dict | None = None,
                    **overrides) -> InspectionReport:
    """An inspection whose heat map, band counts and change summary agree with its findings."""
    grades = [(5, 5), (4, 3), (2, 3), (1, 2), (3, 5), (4, 4), (2, 2), (5, 3)]
    carry = (None, "still_present", "fixed", "fixed_defective")
    report_rooms, findings, photo_seed = [], [], 0
    for r in range(rooms):
        name = f"Bedroom {r + 1}"
        room_findings = []
        for _ in range(findings_per_room):
            n = len(findings)
            photos = []
            for _ in range(photos_per_finding):
                photo_seed += 1
                photos.append(make_photo(photo_dir / f"p{photo_seed}.jpg", photo_seed,
                                         portrait=photo_seed % 3 == 0))
            lik, con = grades[n % len(grades)]
            extra = (first_finding_overrides or {}) if n == 0 else {}
            finding = make_finding(f"LP-{n + 1:04d}", name, likelihood=lik, consequence=con,
                                   photos=tuple(photos), carry_forward=carry[n % 4], **extra)
            room_findings.append(finding)
            findings.append(finding)
        report_rooms.append(ReportRoom(name=name, area_type="Bedroom (single, en-suite)",
                                       tier="Tier 3", state="complete", not_accessible_reason=None,
                                       items_answered=14, items_total=14,
                                       findings=tuple(room_findings)))
    for i in range(not_accessible):
        report_rooms.append(ReportRoom(name=f"Seclusion suite {i + 1}", area_type="Seclusion",
                                       tier="Tier 3", state="not_accessible",
                                       not_accessible_reason="Room in use for seclusion",
                                       items_answered=0, items_total=12))
    heat = [[0] * 5 for _ in range(5)]
    for f in findings:
        heat[f.likelihood - 1][f.consequence - 1] += 1
    counts = {code: 0 for code in BANDS}
    for f in findings:
        counts[f.band.code] += 1
    action_count = len(findings) if actions is None else actions
    values = dict(
        trust="Northshire Demo Mental Health Trust (invented)", site="Fernbrook Demo Hospital",
        ward="Willow Ward", patient_group="Adult acute (female)", inspection_ref="INS-2025-0042",
        inspection_type="Annual ligature risk assessment", started_at=datetime(2025, 3, 12, 9, 30),
        signed_off_at=datetime(2025, 3, 13, 17, 5) if signed else None,
        signed_off_by="Sam Okafor, Ward Manager" if signed else None,
        attestation="I confirm this assessment reflects the ward on the date inspected."
        if signed else None,
        team=("Sam Okafor (Ward Manager)", "Priya Shah (Estates)", "Tom Reid (Matron)"),
        checklist_name="Adult acute ward ligature checklist", checklist_version="2.1",
        rooms=tuple(report_rooms),
        actions=tuple(make_action(i + 1, findings[i % len(findings)] if findings else None)
                      for i in range(action_count)),
        heatmap=tuple(tuple(row) for row in heat), band_matrix=BAND_MATRIX,
        band_counts=tuple((BANDS[code], counts[code]) for code in BANDS),
        change=ChangeSummary(*(sum(f.carry_forward == c for f in findings) for c in carry),
                             previous_inspection="INS-2024-0017"),
        generated_at=NOW, generated_by="Sam Okafor",
    )
    values.update(overrides)
    return InspectionReport(**values)


def _tracker_order(action: ReportAction):
    """The order the contract promises: worst band first, then overdue first."""
    return (-list(BANDS).index(action.band.code), -action.overdue_days, action.ref)


def make_tracker(actions: int = 40, **overrides) -> TrackerReport:
    values = dict(
        trust="Northshire Demo Mental Health Trust (invented)", scope="Whole trust",
        filters=(("Status", "Open"), ("Band", "All")),
        actions=tuple(sorted((make_action(i + 1) for i in range(actions)), key=_tracker_order)),
        generated_at=NOW, generated_by="Chris Lee", bands=tuple(BANDS.values()),
    )
    values.update(overrides)
    return TrackerReport(**values)


def make_label_sheet(labels: int = 12, **overrides) -> LabelSheet:
    values = dict(
        trust="Northshire Demo Mental Health Trust (invented)", ward="Willow Ward",
        site="Fernbrook Demo Hospital",
        labels=tuple(RoomLabel(f"Bedroom {i + 1}", "Willow Ward", "Fernbrook Demo Hospital",
                               f"https://inspect.example.test/r/{1000 + i}")
                     for i in range(labels)),
        generated_at=NOW,
    )
    values.update(overrides)
    return LabelSheet(**values)


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
