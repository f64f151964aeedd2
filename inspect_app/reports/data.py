"""Frozen, database-free snapshots of what a PDF report shows.

The report services collect these from the database; the renderers in
:mod:`inspect_app.reports.pdf` turn them into bytes and never see a session. Collections are
tuples so a snapshot cannot change while it is being rendered. The larger classes are
keyword-only: they have many fields of the same type, and a positional mix-up would print a
wrong but plausible report.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

#: What ``ReportFinding.carry_forward`` means, as printed in reports.
CARRY_FORWARD_LABELS = {
    None: "New",
    "still_present": "Still present",
    "fixed": "Fixed",
    "fixed_defective": "Fixed but defective",
}


@dataclass(frozen=True)
class BandInfo:
    """A risk band and how to print it (colours are ``#rrggbb``)."""

    code: str  # low / moderate / high / extreme
    label: str
    colour: str
    text_colour: str


@dataclass(frozen=True)
class ReportPhoto:
    """A photo rendition already on disk.

    ``path`` must be an absolute path to a JPEG about 800 px on its long edge with the
    orientation baked in: ReportLab embeds it byte for byte and ignores EXIF orientation.
    """

    path: str
    caption: str = ""


@dataclass(frozen=True, kw_only=True)
class ReportFinding:
    ref: str
    room: str
    location: str
    category: str
    description: str
    likelihood: int
    consequence: int
    score: int
    band: BandInfo
    tier: str
    existing_controls: str
    mitigation: str
    recommended_action: str
    carry_forward: str | None  # None = new, "still_present", "fixed", "fixed_defective"
    photos: tuple[ReportPhoto, ...] = ()
    grade_reasons: tuple[str, ...] = ()
    # Original and current grade, and the residual grade and acceptance when risk-accepted.
    grade_story: str = ""
    accepted: bool = False

    @property
    def carry_forward_label(self) -> str:
        return CARRY_FORWARD_LABELS.get(self.carry_forward, str(self.carry_forward))


@dataclass(frozen=True)
class ReportAnswerNote:
    """A checklist answer the report must show with its words: a Not applicable with its reason,
    or a failed check with what failed (and the failed-check record that carries its action)."""

    code: str
    prompt: str
    answer: str  # "Not applicable" or "Failed check"
    reason: str
    ref: str | None = None  # the failed check's FC- reference


@dataclass(frozen=True, kw_only=True)
class ReportRoom:
    name: str
    area_type: str
    tier: str
    state: str  # complete / not_accessible / in_progress / not_started
    not_accessible_reason: str | None
    items_answered: int
    items_total: int
    findings: tuple[ReportFinding, ...] = ()
    label_scanned: bool = False  # opened through its QR label during the inspection
    not_applicable: tuple[str, ...] = ()  # "BED-03 Curtain rail" answered not applicable
    answer_notes: tuple[ReportAnswerNote, ...] = ()
    bulk_compliant: int = 0  # answered Compliant by "mark remaining items compliant" (one bulk answer)

    @property
    def is_not_accessible(self) -> bool:
        return self.state == "not_accessible"


@dataclass(frozen=True, kw_only=True)
class ReportAction:
    ref: str
    finding_ref: str
    room: str
    summary: str
    band: BandInfo
    owner: str
    target_date: date
    interim_control: str | None
    interim_by: datetime | None
    status: str  # human label, e.g. "Open", "Awaiting verification"
    age_days: int
    overdue_days: int  # 0 when not overdue
    ward: str
    site: str
    interim_review_date: date | None = None
    interim_past_review: bool = False
    accepted: str = ""  # the acceptance, in words, when the risk is accepted
    grades: str = ""  # "Initial 20 High · current 20 High · target 5 Moderate"

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True)
class WithdrawnPoint:
    """A ligature point withdrawn as recorded in error: not in the figures, always in the report."""

    ref: str
    room: str
    category: str
    description: str
    reason: str
    withdrawn_by: str
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class ReportIncident:
    """A ligature incident on the ward since its last assessment (no patient details, ever)."""

    ref: str
    reference: str
    occurred_at: datetime
    room: str
    kind: str
    outcome: str
    point: str  # the point's ref, "To be found" or why there is none


@dataclass(frozen=True)
class ChangeSummary:
    """How this inspection's findings compare with the previous inspection of the ward."""

    new: int
    still_present: int
    fixed: int
    fixed_defective: int
    previous_inspection: str | None = None


@dataclass(frozen=True)
class ReportSignatory:
    capacity: str  # "Lead inspector (estates)" / "Clinical sign-off"
    name: str  # the account's name, never typed
    role: str
    signed_at: datetime
    acknowledged_flags: int = 0


@dataclass(frozen=True)
class ReportFlag:
    room: str
    text: str


@dataclass(frozen=True, kw_only=True)
class InspectionReport:
    trust: str
    site: str
    ward: str
    patient_group: str
    inspection_ref: str
    inspection_type: str
    started_at: datetime
    signed_off_at: datetime | None
    signed_off_by: str | None
    attestation: str | None
    team: tuple[str, ...]
    checklist_name: str
    checklist_version: str
    rooms: tuple[ReportRoom, ...]
    actions: tuple[ReportAction, ...]
    heatmap: tuple[tuple[int, ...], ...]  # 5x5 counts: heatmap[likelihood - 1][consequence - 1]
    band_matrix: tuple[tuple[BandInfo, ...], ...]  # 5x5 band per cell, indexed like heatmap
    band_counts: tuple[tuple[BandInfo, int], ...]  # lowest band first
    change: ChangeSummary
    generated_at: datetime
    generated_by: str
    marking: str = "OFFICIAL-SENSITIVE"
    # The highest band after the tier rule of the points in each cell (None when the cell is empty).
    heat_bands: tuple[tuple[BandInfo | None, ...], ...] = ()
    signatories: tuple[ReportSignatory, ...] = ()
    flags: tuple[ReportFlag, ...] = ()
    not_done: tuple[str, ...] = ()  # a draft's unfinished work, in words
    is_assessment: bool = True  # a full annual assessment (resets the ward's 12-month clock)
    next_assessment_due: date | None = None
    bands: tuple[BandInfo, ...] = ()  # every band, lowest first, for the key
    # The ward's floor plan with this report's points pinned (plans.mapdata.report_plan); None: no plan.
    floor_plan: object | None = None

    @property
    def cell_bands(self) -> tuple[tuple[BandInfo, ...], ...]:
        """The colour of each cell: the highest band after the tier rule of the points in it, else the
        matrix band; a point raised by the tier rule is never drawn in a lower band's colour."""
        if not self.heat_bands:
            return self.band_matrix
        return tuple(tuple(held or matrix for held, matrix in zip(held_row, matrix_row, strict=False))
                     for held_row, matrix_row in zip(self.heat_bands, self.band_matrix, strict=False))

    def raised(self, likelihood: int, consequence: int) -> bool:
        """True when the cell holds a point the tier rule put above the matrix band."""
        if not self.heat_bands:
            return False
        held = self.heat_bands[likelihood - 1][consequence - 1]
        return held is not None and held.code != self.band_matrix[likelihood - 1][consequence - 1].code
    withdrawn: tuple[WithdrawnPoint, ...] = ()  # recorded in error, with the reason
    incidents: tuple[ReportIncident, ...] = ()  # on the ward since its last assessment
    incidents_since: datetime | None = None  # when that assessment began (None: never assessed)

    @property
    def is_draft(self) -> bool:
        return self.signed_off_at is None

    @property
    def findings(self) -> Iterator[ReportFinding]:
        for room in self.rooms:
            yield from room.findings

    @property
    def finding_count(self) -> int:
        return sum(len(room.findings) for room in self.rooms)


@dataclass(frozen=True, kw_only=True)
class TrackerReport:
    trust: str
    scope: str  # "Whole trust", a site or a ward
    filters: tuple[tuple[str, str], ...]  # (name, value) pairs as shown to the user
    actions: tuple[ReportAction, ...]  # already sorted: band, then overdue first
    generated_at: datetime
    generated_by: str
    marking: str = "OFFICIAL-SENSITIVE"
    # Every band of the trust's matrix, lowest first, so the summary shows empty bands too.
    # When empty the summary uses the bands that appear in ``actions``.
    bands: tuple[BandInfo, ...] = ()


@dataclass(frozen=True)
class RoomLabel:
    room: str
    ward: str
    site: str
    url: str


@dataclass(frozen=True, kw_only=True)
class LabelSheet:
    trust: str
    ward: str
    site: str
    labels: tuple[RoomLabel, ...]
    generated_at: datetime
    marking: str = "OFFICIAL-SENSITIVE"
