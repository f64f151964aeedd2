"""The "alert response evidence" PDF: per ward in the alert's scope, the inspection that assessed
it, the ligature points found against the alert's items and the status of their actions.

Built on the shared :class:`~inspect_app.reports.pdf.base.ReportRenderer` (marking on every
page, "Page x of y"); every piece of user text goes through ``para_text``.
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from inspect_app.alerts.evidence import EvidenceReport, EvidenceWard
from inspect_app.reports.pdf.base import ReportRenderer
from inspect_app.reports.pdf.flowables import CountedTable, heading
from inspect_app.reports.pdf.styles import (
    EMPTY,
    PALE_RED,
    RED,
    RED_HEX,
    STYLES,
    Para,
    data_table_style,
    fmt_date,
    fmt_datetime,
    para_text,
)

POINT_COLUMNS = (("Ref", 18), ("Room", 22), ("Item", 14), ("Ligature point", 0), ("Grade", 30),
                 ("Action", 19), ("Status", 22), ("Target", 18))
FACTS_STYLE = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
               ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("VALIGN", (0, 0), (-1, -1), "TOP")]


class EvidenceRenderer(ReportRenderer):
    def __init__(self, report: EvidenceReport, progress=None):
        super().__init__(report, progress)
        self._rows_total = sum(len(w.points) + 1 for w in report.wards)

    def _title(self) -> str:
        return f"Alert response evidence \u2014 {self.report.alert_label}"

    def _subject(self) -> str:
        return f"{self.report.marking} alert response evidence"

    def _header_right(self) -> str:
        return f"As at {fmt_datetime(self.report.generated_at)}"

    def _footer_left(self) -> str:
        return f"Generated {fmt_datetime(self.report.generated_at)} by {self.report.generated_by}"

    def _story(self) -> list[Flowable]:
        return [*self._cover(), *self._deadlines(), *self._summary(),
                *[flowable for ward in self.report.wards for flowable in self._ward(ward)]]

    def _facts(self, facts: list[tuple[str, str]]) -> Table:
        rows = [[Para(k, STYLES["FieldLabel"]), Para(v, STYLES["Small"])] for k, v in facts]
        return Table(rows, colWidths=[38 * mm, self.frame_width - 38 * mm], hAlign="LEFT", style=FACTS_STYLE,
                     splitInRow=1)

    def _cover(self) -> list[Flowable]:
        r = self.report
        response = para_text(r.response)
        if r.response_by:
            response += f" \u2014 {para_text(r.response_by)}, {fmt_datetime(r.response_at)}"
        if r.response_note:
            response += f"<br/>{para_text(r.response_note)}"
        facts = [("Trust", para_text(r.trust)),
                 ("Alert", para_text(r.reference or "Reference not recorded (cited by title)")),
                 ("Title", para_text(r.alert_title)), ("Issued by", para_text(r.issuing_body)),
                 ("Issued", fmt_date(r.issued_on)),
                 ("Restricted", "Yes: distributed through CAS only; its text is not reproduced here"
                  if r.restricted else "No"),
                 ("Wards in scope", para_text(r.scope)), ("Trust response", response),
                 ("Checklist items", para_text(", ".join(r.items), "None yet: no checklist item cites this alert")),
                 ("Generated", f"{fmt_datetime(r.generated_at)} by {para_text(r.generated_by)}")]
        flow = [Para("Alert response evidence", STYLES["Title"]), Para(para_text(r.alert_title), STYLES["Subtitle"]),
                self._facts(facts)]
        if r.required_actions:
            flow += [heading("Required actions (the trust's summary)", "H3"),
                     Para(para_text(r.required_actions), STYLES["Body"])]
        return flow

    def _deadlines(self) -> list[Flowable]:
        rows = [[Para(h, STYLES["TableHead"]) for h in ("Deadline", "Date", "Position")]]
        style = data_table_style()
        for index, d in enumerate(self.report.deadlines, start=1):
            text = para_text(d.summary)
            if d.overdue:
                text = f'<font color="{RED_HEX}"><b>{text}</b></font>'
                style.append(("BACKGROUND", (2, index), (2, index), PALE_RED))
            rows.append([Para(d.label, STYLES["Cell"]), Para(fmt_date(d.due), STYLES["Cell"]),
                         Para(text, STYLES["Cell"])])
        return [heading("Deadlines", "H3"),
                Table(rows, colWidths=[50 * mm, 35 * mm, 60 * mm], style=style, hAlign="LEFT")]

    def _summary(self) -> list[Flowable]:
        wards = self.report.wards
        counts: dict[str, int] = {}
        for ward in wards:
            counts[ward.state] = counts.get(ward.state, 0) + 1
        lines = "<br/>".join(f"{para_text(state)}: {n}" for state, n in counts.items())
        return [heading("Wards", "H3"),
                Para(f"{len(wards)} ward{'s' if len(wards) != 1 else ''} in scope.<br/>{lines}"
                     if wards else "No ward is in the alert's scope.", STYLES["Body"]),
                Spacer(1, 3 * mm)]

    def _ward(self, ward: EvidenceWard) -> list[Flowable]:
        flow: list[Flowable] = [heading(f"{para_text(ward.name)} \u00b7 {para_text(ward.site)}", "H2", level=0),
                                self._facts([("Patient group", para_text(ward.patient_group)),
                                             ("State", para_text(ward.state)),
                                             ("Inspection", para_text(ward.inspection, "Not yet assessed with a "
                                                                                       "checklist covering this alert")),
                                             ("Remaining risk", para_text("; ".join(ward.caveats),
                                                                          "None recorded"))])]
        accepted = [p for p in ward.points if p.accepted]
        if accepted:
            flow += [heading("Accepted risks", "H3"),
                     *[Para(f"<b>{para_text(p.ref)}</b> {para_text(p.room)}: {para_text(p.description)}. "
                            f"{para_text(p.grade)}.", STYLES["Body"]) for p in accepted]]
        if ward.checks:
            flow += [heading("Product checks failed or overdue", "H3"),
                     *[Para(f'<font color="{RED_HEX}"><b>{para_text(c.state)}</b></font>: '
                            f"{para_text(c.product)} in {para_text(c.room)}", STYLES["Body"]) for c in ward.checks]]
        if not ward.points:
            return flow + [Para("No ligature points recorded against this alert's items.", STYLES["Muted"])]
        rows = [[Para(h, STYLES["TableHead"]) for h, _ in POINT_COLUMNS]]
        style = data_table_style()
        for index, p in enumerate(ward.points, start=1):
            status = para_text(p.action_status, "No action")
            if p.action_open:
                status += f'<br/><font color="{RED_HEX}"><b>Open</b></font>'
                style.append(("TEXTCOLOR", (6, index), (6, index), RED))
            if p.overdue:
                status += f'<br/><font color="{RED_HEX}"><b>Overdue</b></font>'
            if p.interim_past_review:
                status += f'<br/><font color="{RED_HEX}"><b>Interim control past review</b></font>'

            rows.append([Para(para_text(p.ref), STYLES["CellBold"]), Para(para_text(p.room), STYLES["Cell"]),
                         Para(para_text(p.item), STYLES["Cell"]), Para(para_text(p.description), STYLES["Cell"]),
                         Para(para_text(p.grade or p.band), STYLES["Cell"]), Para(para_text(p.action_ref, EMPTY), STYLES["Cell"]),
                         Para(status, STYLES["Cell"]), Para(fmt_date(p.target_date), STYLES["Cell"])])
        widths = [w * mm for _, w in POINT_COLUMNS]
        widths[3] = self.frame_width - sum(widths)
        return flow + [Spacer(1, 2 * mm), CountedTable(rows, colWidths=widths, repeatRows=1, style=style,
                                                       hAlign="LEFT")]


def render_evidence(report: EvidenceReport, out=None, progress=None) -> bytes | None:
    """Render the alert response evidence.

    :param report: the snapshot from :func:`inspect_app.alerts.evidence.collect`.
    :param out: a path or binary file to write to; when omitted the PDF bytes are returned.
    :param progress: called with ``(rows laid out, total rows)``.
    """
    return EvidenceRenderer(report, progress).render(out)
