"""One ligature point as a card: a header with ref, location and band, the details, the photos.

The usual card puts the details on the left and up to two photos on the right (more go in
rows of three below), and never splits across pages. A card too tall for a page (a very
long description, many photos) falls back to a stacked layout whose rows, and even the text
inside a row, may split: an oversized flowable would otherwise stop the whole build with a
``LayoutError``.
"""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Image, Spacer, Table, TableStyle

from ..data import ReportFinding
from .flowables import BandChip, TextLines, rich_block, text_block
from .glyphs import markup
from .heatmap import CONSEQUENCE_LABELS, LIKELIHOOD_LABELS
from .styles import (
    EMPTY,
    FONT_BOLD,
    MUTED,
    PALE_BLUE,
    RED_HEX,
    RULE,
    STYLES,
    Para,
    band_colours,
    cell_text,
    is_plain,
    para_text,
)

# Characters of free text above which a card is measured before it is trusted to fit a page.
_MEASURE_ABOVE_CHARS = 1200
_MEASURE_ABOVE_LINES = 12  # many short lines are tall however few characters they hold
#: A location longer than this (or on several lines) gets its own row instead of the title,
#: which is kept with the first field and so could not continue on the next page.
_TITLE_LOCATION_CHARS = 120
SMALL = STYLES["Small"]


class FindingCardBuilder:
    """Builds the flowables for one finding; geometry lives here as attributes."""

    photo_width = 57 * mm  # an 800 px rendition at this width prints at about 360 dpi
    photo_max_height = 68 * mm  # a 3:4 portrait prints 51 mm wide
    photos_beside = 2  # photos stacked beside the details; the rest go in rows of three
    grid_columns = 3
    label_width = 32 * mm  # fits "Since last inspection" on one line at 8 pt
    padding = 5
    space_after = 4 * mm

    def __init__(self, width: float, max_height: float):
        self.width = width
        self.max_height = max_height
        self.photo_column = self.photo_width + 2 * self.padding

    def build(self, finding: ReportFinding) -> list[Flowable]:
        card = self._compact_card(finding)
        if self._may_be_tall(finding):
            _, height = card.wrap(self.width, self.max_height)
            if height > self.max_height:
                card = self._stacked_card(finding)
        return [card, Spacer(1, self.space_after)]

    def _may_be_tall(self, finding: ReportFinding) -> bool:
        # Every piece of text on the card counts (a 500-character location in the title was
        # once left out: the unmeasured compact card, which never splits, outgrew the page).
        texts = (finding.description, finding.existing_controls, finding.mitigation,
                 finding.recommended_action, finding.location, finding.category, *finding.grade_reasons)
        # Printed length: a character no font has prints as its name ("[FACE WITH TEARS OF JOY]"),
        # so 200 emoji are as tall as 4,000 letters.
        chars = sum(len(text) if text.isascii() else len(markup(text)) for text in texts if text)
        lines = sum((text or "").count("\n") for text in texts)
        return (chars > _MEASURE_ABOVE_CHARS or lines > _MEASURE_ABOVE_LINES
                or len(finding.photos) > self.photos_beside)

    # -- pieces ------------------------------------------------------------------------
    def _fields(self, finding: ReportFinding) -> list[tuple[str, str]]:
        lik, con = finding.likelihood, finding.consequence
        grade = (f"Likelihood {lik} {_label(LIKELIHOOD_LABELS, lik)} \u00d7 consequence {con} "
                 f"{_label(CONSEQUENCE_LABELS, con)} = <b>{finding.score}</b> "
                 f"(<b>{para_text(finding.band.label)}</b>)")
        reasons = "<br/>".join(f"\u2022 {para_text(r)}" for r in finding.grade_reasons) or EMPTY
        status = para_text(finding.carry_forward_label)
        if finding.carry_forward == "fixed_defective":
            status = f'<font color="{RED_HEX}"><b>{status}</b></font>'
        story = para_text(finding.grade_story)
        if finding.accepted:
            story = f'<font color="{RED_HEX}"><b>{story}</b></font>'
        rows = [("Location", para_text(finding.location))] if self._long_location(finding) else []
        return rows + [
            ("Category", para_text(finding.category)),
            ("Description", para_text(finding.description)),
            ("Grade", grade),
            *([("Original and current", story)] if finding.grade_story else []),
            ("Area tier", para_text(finding.tier)),
            ("Why this grade", reasons),
            ("Existing controls", para_text(finding.existing_controls)),
            ("Mitigation", para_text(finding.mitigation)),
            ("Recommended action", para_text(finding.recommended_action)),
            ("Since last inspection", status),
        ]

    def _field_rows(self, finding: ReportFinding, *, beside: bool, stacked: bool) -> list[list]:
        # Labels are plain strings styled by the table, not Paragraphs; so are values without
        # markup, broken into lines where a Paragraph would break them (styles.cell_text): most
        # of a card's text then needs no Paragraph layout. A stacked card may split inside a row,
        # which the table does by lines of 1.2 x the font size, not the leading: its values stay
        # Paragraphs unless they fit one line.
        # The grade line's bold score and band are drawn as RichLines, not a Paragraph.
        fit = self.width - self.label_width - 2 * self.padding - (self.photo_column if beside else 0)
        return [[label, rich_block(self._grade_runs(finding), SMALL, fit) if label == "Grade" and not stacked
                 else cell_text(value, SMALL, fit, lines=not stacked), ""]
                for label, value in self._fields(finding)]

    @staticmethod
    def _grade_runs(finding: ReportFinding) -> list[tuple[str, str]]:
        """The "Grade" field as (text, font) runs; the same words as :meth:`_fields` gives it."""
        lik, con = finding.likelihood, finding.consequence
        return [(f"Likelihood {lik} {_label(LIKELIHOOD_LABELS, lik)} \u00d7 consequence {con} "
                 f"{_label(CONSEQUENCE_LABELS, con)} = ", SMALL.fontName), (str(finding.score), FONT_BOLD),
                (" (", SMALL.fontName), (para_text(finding.band.label), FONT_BOLD), (")", SMALL.fontName)]

    def _photo(self, photo, width: float) -> list[Flowable]:
        image = Image(photo.path, width=width, height=self.photo_max_height * width
                      / self.photo_width, kind="proportional")  # a path: passed through as JPEG
        parts: list[Flowable] = [image]
        if photo.caption:
            parts.append(text_block(para_text(photo.caption), STYLES["Tiny"], width))
        return parts

    def _photo_stack(self, photos) -> list[Flowable]:
        cell: list[Flowable] = []
        for index, photo in enumerate(photos):
            if index:
                cell.append(Spacer(1, 2 * mm))
            cell.extend(self._photo(photo, self.photo_width))
        return cell

    def _photo_grid_rows(self, photos) -> list[Table]:
        gap = 4 * mm
        each = min(self.photo_width, (self.width - 2 * self.padding - gap * (self.grid_columns - 1))
                   / self.grid_columns)
        rows = []
        for start in range(0, len(photos), self.grid_columns):
            cells = [self._photo(photo, each) for photo in photos[start:start + self.grid_columns]]
            cells += [""] * (self.grid_columns - len(cells))
            rows.append(Table([cells], colWidths=[each + gap] * self.grid_columns, hAlign="LEFT",
                              style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return rows

    def _title(self, finding: ReportFinding, width: float) -> Flowable:
        """The point's reference and, unless it has a row of its own, its location, in bold."""
        style = STYLES["FindingHead"]
        ref = para_text(finding.ref)
        location = "" if self._long_location(finding) else para_text(finding.location)
        text = f"{ref}\xa0\xa0\xa0{location}" if location else ref
        if is_plain(ref + location) and stringWidth(text, style.fontName, style.fontSize) <= width:
            return TextLines([(text, style.fontName, style.fontSize)], style.leading, style.textColor)
        return Para(f"{ref}&nbsp;&nbsp;&nbsp;{location}" if location else ref, style)

    @staticmethod
    def _long_location(finding: ReportFinding) -> bool:
        location = finding.location or ""
        return len(location) > _TITLE_LOCATION_CHARS or "\n" in location

    # -- the card ----------------------------------------------------------------------
    def _compact_card(self, finding: ReportFinding) -> Table:
        beside = finding.photos[:self.photos_beside]
        return self._card(finding, beside, finding.photos[len(beside):], stacked=False)

    def _stacked_card(self, finding: ReportFinding) -> Table:
        return self._card(finding, (), finding.photos, stacked=True)

    def _card(self, finding: ReportFinding, beside, below, *, stacked: bool) -> Table:
        """One flat table; nesting tables would wrap every Paragraph once more.

        Columns: field label, value, photos. Row 0 is the header; then one row per field,
        with the photos beside them in one cell spanning those rows; then rows of photos.
        """
        chip = BandChip(finding.band, f"{finding.band.label} \u00b7 {finding.score}", 9)
        chip.hAlign = "RIGHT"
        title = self._title(finding, self.width - self.photo_column - 2 * self.padding)
        rows = [[title, "", chip], *self._field_rows(finding, beside=bool(beside), stacked=stacked)]
        last_field = len(rows) - 1
        rows += [[grid, "", ""] for grid in self._photo_grid_rows(below)]
        fill, _ = band_colours(finding.band)
        pad = self.padding
        style = [
            ("BOX", (0, 0), (-1, -1), 0.6, RULE),
            ("LINEBEFORE", (0, 0), (0, -1), 4, fill, 0),  # 0: butt cap, flush with the box
            ("BACKGROUND", (0, 0), (-1, 0), PALE_BLUE),
            ("SPAN", (0, 0), (1, 0)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("ALIGN", (2, 0), (2, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("RIGHTPADDING", (0, 1), (0, -1), 3),
            ("TOPPADDING", (0, 0), (-1, 0), 4),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
            ("TOPPADDING", (0, 1), (-1, -1), 2.2),
            ("BOTTOMPADDING", (0, 1), (-1, -1), 2.2),
            ("FONT", (0, 1), (0, last_field), FONT_BOLD, 8, 10),
            ("TEXTCOLOR", (0, 1), (0, last_field), MUTED),
            # values drawn as plain strings (cell_text) in the "Small" style
            ("FONT", (1, 1), (1, last_field), SMALL.fontName, SMALL.fontSize, SMALL.leading),
            ("TEXTCOLOR", (1, 1), (1, last_field), SMALL.textColor),
            ("LINEBELOW", (0, 1), (1, last_field - 1), 0.25, RULE),
            ("BOTTOMPADDING", (0, last_field), (-1, -1), pad),
        ]
        if beside:
            style += [("SPAN", (2, 1), (2, last_field)), ("TOPPADDING", (2, 1), (2, 1), pad)]
            rows[1][2] = self._photo_stack(beside)
        else:
            style += [("SPAN", (1, r), (2, r)) for r in range(1, last_field + 1)]
        for r in range(last_field + 1, len(rows)):
            style.append(("SPAN", (0, r), (2, r)))
        # The compact card never splits between the header and the last field; the stacked one
        # may split anywhere, inside a row too (a first field taller than a page, such as a long
        # location printed with names for emoji, kept with the header would never fit: issue 17).
        style.append(("NOSPLIT", (0, 0), (-1, 0 if stacked else last_field)))
        value_width = self.width - self.label_width - self.photo_column
        return Table(rows, colWidths=[self.label_width, value_width, self.photo_column],
                     style=TableStyle(style), splitInRow=1 if stacked else 0)


def _label(labels: tuple[str, ...], value: int) -> str:
    return labels[value - 1] if 1 <= value <= len(labels) else "?"
