"""The ligature risk assessment report for one inspection of one ward (A4 portrait).

Sections: cover, executive summary (figures, bands, change since last time, heat map),
rooms not accessible, ligature points room by room, action plan, sign-off. An unsigned
inspection carries a DRAFT watermark on every page.
"""
from __future__ import annotations

from functools import partial

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table

from inspect_app.domain.risk import Tier

from ..data import InspectionReport, ReportRoom
from .action_plan import action_plan
from .base import Output, Progress, ReportRenderer, fit_text
from .findings import FindingCardBuilder
from .flowables import Deferred, ProgressMark, heading, table_heading
from .heatmap import score_range
from .hotspot import plan_section
from .styles import (
    FONT_BOLD,
    NHS_BLUE,
    PALE,
    PALE_BLUE,
    RED,
    RULE,
    STYLES,
    WHITE,
    Para,
    data_table_style,
    fmt_date,
    fmt_datetime,
    para_text,
)
from .summary import summary

ROOM_STATES = {"complete": "Inspected", "not_accessible": "Not accessible",
               "in_progress": "Incomplete", "not_started": "Not started"}


class InspectionRenderer(ReportRenderer):
    cover_band_top = 13 * mm  # the blue band on the cover, from the top edge
    cover_band_height = 24 * mm
    fact_label_width = 48 * mm

    def __init__(self, report: InspectionReport, progress=None):
        super().__init__(report, progress)
        self.watermark = "DRAFT" if report.is_draft else None
        self.cards = FindingCardBuilder(self.frame_width, self.frame_height)

    # -- metadata and page furniture ---------------------------------------------------
    def _title(self) -> str:
        r = self.report
        return f"Ligature risk assessment \u2014 {r.ward} \u2014 {fmt_date(r.started_at)}"

    def _subject(self) -> str:
        return f"{self.report.marking} ligature point inspection report"

    def _header_left(self) -> str:
        r = self.report
        return f"Ligature risk assessment \u00b7 {r.ward}, {r.site}"

    def _header_right(self) -> str:
        draft = " \u00b7 DRAFT" if self.report.is_draft else ""
        return f"{self.report.inspection_ref}{draft}"

    def _first_page_frames(self, doc):
        top = self.page_height - self.cover_band_top - self.cover_band_height - 12 * mm
        return [self._frame(doc.leftMargin, doc.bottomMargin, doc.width, top - doc.bottomMargin,
                            "cover")]

    def _on_first_page(self, canv, doc) -> None:
        super()._on_first_page(canv, doc)
        y = self.page_height - self.cover_band_top - self.cover_band_height
        canv.saveState()
        canv.setFillColor(NHS_BLUE)
        canv.rect(0, y, self.page_width, self.cover_band_height, stroke=0, fill=1)
        canv.setFillColor(WHITE)
        canv.setFont(FONT_BOLD, 15)
        canv.drawString(self.left_margin, y + 13 * mm,
                        fit_text(self.report.trust, FONT_BOLD, 15, self.frame_width))
        canv.setFont(FONT_BOLD, 9)
        canv.drawString(self.left_margin, y + 6.5 * mm,
                        "Ligature point inspection \u00b7 NHS 5\u00d75 risk matrix")
        canv.restoreState()

    # -- story -------------------------------------------------------------------------
    def _story(self) -> list[Flowable]:
        return [
            *self._cover(), PageBreak(),
            *summary(self.report, self.frame_width),
            *self._flags(),
            *self._incidents(),
            *self._not_accessible(), PageBreak(),
            *self._floor_plan(),
            *self._rooms(), PageBreak(),
            *action_plan(self.report.actions, self.frame_width),
            *self._sign_off(),
        ]

    def _cover(self) -> list[Flowable]:
        r = self.report
        facts = [
            ("Trust", r.trust), ("Site", r.site), ("Ward", r.ward),
            ("Patient group", r.patient_group), ("Inspection reference", r.inspection_ref),
            ("Inspection type", r.inspection_type), ("Started", fmt_datetime(r.started_at)),
            ("Signed off", fmt_datetime(r.signed_off_at) if r.signed_off_at else "Not signed off"),
            ("Assessment team", ", ".join(r.team)),
            ("Checklist", f"{r.checklist_name} (version {r.checklist_version})"),
            ("Next full assessment due", fmt_date(r.next_assessment_due) if r.next_assessment_due
             else "Now: no full annual assessment of this ward is signed off"),
            ("Report generated", f"{fmt_datetime(r.generated_at)} by {r.generated_by}"),
        ]
        about = (f"This report records the ligature points found on {para_text(r.ward)}, each "
                 "graded on the NHS 5\u00d75 matrix (likelihood \u00d7 consequence, 1\u201325), "
                 "with the controls in place and the actions agreed. It is marked "
                 f"{para_text(r.marking)}: it describes how patients could harm themselves, so "
                 "keep it to staff who need it and do not share it outside the trust.")
        return [
            Para("Ligature risk assessment", STYLES["Title"]),
            Para(f"{para_text(r.ward)}, {para_text(r.site)}", STYLES["Subtitle"]),
            self._status_box(), *self._not_done(), Spacer(1, 8 * mm), self._facts_table(facts),
            Spacer(1, 6 * mm), *self._key(), Spacer(1, 4 * mm), Para(about, STYLES["Muted"]),
        ]

    def _not_done(self) -> list[Flowable]:
        r = self.report
        flow: list[Flowable] = []
        if r.is_draft and r.not_done:
            lines = "<br/>".join(f"\u2022 {para_text(line)}" for line in r.not_done)
            flow += [Spacer(1, 2 * mm), Para(f"<b>Not yet done:</b><br/>{lines}",
                                             STYLES["Body"].clone("NotDone", textColor=RED))]
        if not r.is_assessment:
            flow += [Spacer(1, 2 * mm), Para(
                f"{para_text(r.inspection_type)}: this is not a full annual ligature risk assessment and does "
                "not reset the ward's 12-month assessment date.", STYLES["Body"])]
        return flow

    def _key(self) -> list[Flowable]:
        tiers = "<br/>".join(f"<b>{para_text(t.label)}</b>: {para_text(t.description)}" for t in Tier)
        bands = ", ".join(f"<b>{para_text(b.label)}</b> {score_range(b, self.report.band_matrix)}"
                          for b in reversed(self.report.bands)) if self.report.bands else ""
        return [heading("Key to tiers and bands", "H3"), Para(tiers, STYLES["Small"]), Spacer(1, 1.5 * mm),
                Para(f"Bands by score (likelihood \u00d7 consequence): {bands}. In a Tier 3 room a point is at "
                     "least High whatever its score (the tier rule); every band printed in this report is the "
                     "band after the tier rule.", STYLES["Small"])]

    def _flags(self) -> list[Flowable]:
        r = self.report
        if not r.flags:
            return []
        lines = "<br/>".join(f"\u2022 <b>{para_text(f.room)}</b>: {para_text(f.text)}" for f in r.flags)
        acks = "<br/>".join(f"{para_text(s.name)} ({para_text(s.capacity)}) acknowledged {s.acknowledged_flags} "
                            "flag(s) when signing." for s in r.signatories) or "Not yet acknowledged by a signatory."
        return [heading("Needs a second look", "H3"), Para(lines, STYLES["Body"]), Spacer(1, 1.5 * mm),
                Para(acks, STYLES["Muted"])]

    def _incidents(self) -> list[Flowable]:
        """Ligature incidents on the ward since its last assessment: always said, even when none."""
        r = self.report
        since = f"since the last assessment ({fmt_date(r.incidents_since)})" if r.incidents_since \
            else "(no assessment signed off before)"
        flow: list[Flowable] = [heading(f"Ligature incidents {since}: {len(r.incidents)}", "H3")]
        if not r.incidents:
            return flow + [Para("No ligature incidents recorded on this ward in that time.", STYLES["Body"])]
        rows = [[Para(h, STYLES["TableHead"]) for h in ("Incident", "When", "Room", "Type", "Outcome", "Point")]]
        rows += [[Para(para_text(i.ref + (f" ({i.reference})" if i.reference else "")), STYLES["CellBold"]),
                  Para(fmt_datetime(i.occurred_at), STYLES["Cell"]), Para(para_text(i.room), STYLES["Cell"]),
                  Para(para_text(i.kind), STYLES["Cell"]), Para(para_text(i.outcome), STYLES["Cell"]),
                  Para(para_text(i.point), STYLES["Cell"])] for i in r.incidents]
        widths = [34 * mm, 28 * mm, 30 * mm, 32 * mm, 26 * mm, self.frame_width - 150 * mm]
        return flow + [Table(rows, colWidths=widths, style=data_table_style(), repeatRows=1, hAlign="LEFT")]

    def _facts_table(self, facts, *, boxed: bool = False) -> Table:
        """Label/value rows (values are user text) for the cover and the sign-off block."""
        rows = [[Para(label, STYLES["FieldLabel"]), Para(para_text(value), STYLES["Body"])]
                for label, value in facts]
        style = [("LINEBELOW", (0, 0), (-1, -2 if boxed else -1), 0.25, RULE),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]
        style.append(("BOX", (0, 0), (-1, -1), 0.75, RULE) if boxed
                     else ("LEFTPADDING", (0, 0), (-1, -1), 0))
        return Table(rows, style=style, colWidths=[self.fact_label_width,
                                                   self.frame_width - self.fact_label_width], splitInRow=1)

    def _status_box(self) -> Table:
        r = self.report
        if r.is_draft:
            text = ("DRAFT \u2014 not signed off. Findings and grades may still change; "
                    "do not rely on this copy as the final assessment.")
            colour, fill = RED, PALE
        else:
            text = (f"Signed off by {para_text(r.signed_off_by)} on "
                    f"{fmt_datetime(r.signed_off_at)}")
            colour, fill = NHS_BLUE, PALE_BLUE
        para = Para(text, STYLES["Notice"].clone("Status", textColor=colour))
        return Table([[para]], colWidths=[self.frame_width], style=[
            ("BOX", (0, 0), (-1, -1), 1.2, colour), ("BACKGROUND", (0, 0), (-1, -1), fill),
            ("LEFTPADDING", (0, 0), (-1, -1), 8), ("TOPPADDING", (0, 0), (-1, -1), 7),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])

    def _not_accessible(self) -> list[Flowable]:
        rooms = [room for room in self.report.rooms if room.is_not_accessible]
        flow: list[Flowable] = [Spacer(1, 4 * mm),
                                *table_heading("2. Rooms not accessible", "H1", level=0)]
        if not rooms:
            pending = sum(room.state != "complete" for room in self.report.rooms)
            if pending:
                return flow + [Para(f"No room is recorded as not accessible; {pending} of "
                                    f"{len(self.report.rooms)} rooms are not yet inspected.", STYLES["Body"])]
            return flow + [Para("Every room in scope was accessed.", STYLES["Body"])]
        rows = [[Para(h, STYLES["TableHead"]) for h in ("Room", "Area type", "Tier", "Reason")]]
        rows += [[Para(para_text(room.name), STYLES["CellBold"]),
                  Para(para_text(room.area_type), STYLES["Cell"]),
                  Para(para_text(room.tier), STYLES["Cell"]),
                  Para(para_text(room.not_accessible_reason, "No reason recorded"),
                       STYLES["Cell"])]
                 for room in rooms]
        widths = [40 * mm, 35 * mm, 20 * mm, self.frame_width - 95 * mm]
        return flow + [Table(rows, colWidths=widths, style=data_table_style(), repeatRows=1,
                             hAlign="LEFT", splitInRow=1)]

    def _floor_plan(self) -> list[Flowable]:
        """The ward's plan with this inspection's points still present, numbered, and the key."""
        plan = self.report.floor_plan
        if plan is None:
            return []
        return [heading("Floor plan: ligature points still present", "H1", level=0),
                *plan_section(plan, self.frame_width, self.frame_height * 0.55), PageBreak()]

    def _rooms(self) -> list[Flowable]:
        flow: list[Flowable] = [heading("3. Ligature points by room", "H1", level=0)]
        total = self.report.finding_count
        done = 0
        for room in self.report.rooms:
            flow += self._room_heading(room)
            if room.label_scanned:
                flow.append(Para("Room confirmed on site by label scan.", STYLES["Muted"]))
            if room.is_not_accessible:
                reason = para_text(room.not_accessible_reason, "No reason recorded")
                flow.append(Para(f"<b>Not accessible:</b> {reason}", STYLES["Body"]))
            elif room.state != "complete":
                flow.append(Para("<b>Not yet inspected.</b>", STYLES["Body"]))
            elif not room.findings:
                flow.append(Para("No ligature points recorded.", STYLES["Body"]))
            flow += self._answer_notes(room)
            for finding in room.findings:
                done += 1
                flow.append(Deferred(partial(self._card, finding, done, total)))
        return flow + self._withdrawn()

    def _card(self, finding, done: int, total: int) -> list[Flowable]:
        return [*self.cards.build(finding), ProgressMark(done, total)]

    def _withdrawn(self) -> list[Flowable]:
        """Points withdrawn as recorded in error: never silently gone from a signed record."""
        points = self.report.withdrawn
        if not points:
            return []
        flow: list[Flowable] = [Spacer(1, 4 * mm), *table_heading(
            f"Withdrawn as recorded in error ({len(points)})", "H2", level=1),
            Para("Not counted in the figures; any action raised for them is cancelled, not deleted.",
                 STYLES["Body"])]
        rows = [[Para(h, STYLES["TableHead"]) for h in ("Ref", "Room", "Point", "Reason", "Withdrawn by")]]
        rows += [[Para(para_text(w.ref), STYLES["CellBold"]), Para(para_text(w.room), STYLES["Cell"]),
                  Para(para_text(" \u2014 ".join(filter(None, (w.category, w.description)))), STYLES["Cell"]),
                  Para(para_text(w.reason), STYLES["Cell"]),
                  Para(para_text(w.withdrawn_by + (f", {w.withdrawn_at:%d %b %Y %H:%M}" if w.withdrawn_at else "")),
                       STYLES["Cell"])] for w in points]
        widths = [22 * mm, 30 * mm, 45 * mm, self.frame_width - 137 * mm, 40 * mm]
        return flow + [Table(rows, colWidths=widths, style=data_table_style(), repeatRows=1, hAlign="LEFT")]

    def _answer_notes(self, room: ReportRoom) -> list[Flowable]:
        """The room's Not applicable answers with their reasons and its failed checks with their notes."""
        if not room.answer_notes:
            return []
        rows = [[Para(h, STYLES["TableHead"]) for h in ("Item", "Answer", "Reason or note")]]
        for note in room.answer_notes:
            answer = para_text(note.answer) + (f"<br/><font size=7>{para_text(note.ref)}</font>" if note.ref else "")
            rows.append([Para(f"<b>{para_text(note.code)}</b> {para_text(note.prompt)}", STYLES["Cell"]),
                         Para(answer, STYLES["Cell"]), Para(para_text(note.reason), STYLES["Cell"])])
        widths = [self.frame_width * 0.5, 28 * mm, self.frame_width * 0.5 - 28 * mm]
        return [Table(rows, colWidths=widths, style=data_table_style(), repeatRows=1, hAlign="LEFT"),
                Spacer(1, 3 * mm)]

    def _room_heading(self, room: ReportRoom) -> list[Flowable]:
        count = len(room.findings)
        meta = " \u00b7 ".join([
            para_text(room.area_type), para_text(room.tier),
            para_text(ROOM_STATES.get(room.state, room.state.replace("_", " ").capitalize())),
            f"{room.items_answered} of {room.items_total} checklist items answered"
            + (f" ({room.bulk_compliant} marked compliant in one bulk answer)" if room.bulk_compliant else ""),
            f"{count} ligature point{'' if count == 1 else 's'}"])
        return [heading(para_text(room.name), "H2", level=1), Para(meta, STYLES["RoomMeta"])]

    def _sign_off(self) -> list[Flowable]:
        r = self.report
        flow: list[Flowable] = [Spacer(1, 6 * mm), heading("5. Sign-off", "H1", level=0)]
        signatories = [(s.capacity, f"{s.name} ({s.role}), {fmt_datetime(s.signed_at)}") for s in r.signatories]
        if r.is_draft:
            flow.append(self._status_box())
            if signatories:
                flow += [Spacer(1, 3 * mm), self._facts_table(signatories, boxed=True)]
            return flow
        if not signatories:
            signatories = [("Signed off by", r.signed_off_by)]
        return flow + [self._facts_table([*signatories, ("Signed off at", fmt_datetime(r.signed_off_at)),
                                          ("Attestation", r.attestation)], boxed=True)]


def render_inspection(report: InspectionReport, out: Output = None,
                      progress: Progress | None = None) -> bytes | None:
    """Render the inspection report.

    :param report: the snapshot to print.
    :param out: a path or binary file to write to; when omitted the PDF bytes are returned.
    :param progress: called with ``(findings laid out, total findings)`` during layout.
    """
    return InspectionRenderer(report, progress).render(out)
