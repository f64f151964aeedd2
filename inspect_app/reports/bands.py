"""Band printing data from a trust's band policy, and the action rows shared by two reports.

Reports print bands in the trust's own colours (``BandPolicy`` rules), never the app's
defaults, so a trust that moved its thresholds gets a matrix that agrees with its grades.
"""
from __future__ import annotations

from datetime import datetime

from inspect_app.domain.assurance import interim_past_review
from inspect_app.domain.grading import GradingPolicy
from inspect_app.domain.risk import MITIGATIONS, Band, BandPolicy
from inspect_app.domain.workflow import ActionStatus
from inspect_app.findings.services import GradeTrio, grade_trio, trio_of
from inspect_app.inspections.assurance import grade_story

from .data import BandInfo, ReportAction


def band_info(policy: BandPolicy, band: Band | str) -> BandInfo:
    """How to print ``band``: label, fill and the rule's (contrast-checked) text colour."""
    rule = policy.rule(band)
    return BandInfo(rule.band.value, rule.band.label, rule.colour, rule.text_colour)


def all_bands(policy: BandPolicy) -> tuple[BandInfo, ...]:
    """Every band, lowest first."""
    return tuple(band_info(policy, band) for band in Band)


def band_matrix(policy: BandPolicy) -> tuple[tuple[BandInfo, ...], ...]:
    """The band of each 5x5 cell, ``[likelihood - 1][consequence - 1]``, by score alone."""
    infos = {info.code: info for info in all_bands(policy)}
    return tuple(tuple(infos[policy.rule_for_score(li * ci).band.value] for ci in range(1, 6))
                 for li in range(1, 6))


def action_summary(finding) -> str:
    """What the action asks for: the recommended action, else the mitigation, else the point."""
    if finding.recommended_action:
        return finding.recommended_action
    if finding.mitigation in MITIGATIONS:
        return MITIGATIONS[finding.mitigation]
    return f"Remediate: {finding.description or finding.category}"


def report_action(action, *, finding, room: str, ward: str, site: str, policy: BandPolicy,
                  now: datetime, grades=None, rules: GradingPolicy | None = None) -> ReportAction:
    """A printable action row; ``finding`` and names are passed in so callers batch-load them.

    ``action`` and ``finding`` are mapped objects or plain rows with the same names (an action row
    carries its ``events`` when its risk is accepted).

    :param now: the report's clock; ages and overdue days count whole days from it.
    :param grades: the point's grades in order, when the caller loaded them in bulk (else read from
        ``finding.grades``); with ``rules``, the ward's grading policy, the grade trio is made from them.
    """
    today = now.date()
    overdue = (today - action.target_date).days if action.is_overdue(today) else 0
    accepted = ""
    if action.status == ActionStatus.RISK_ACCEPTED.value:
        accepted = grade_story(finding, action, grades).text()
    trio = grade_trio(finding) if grades is None or rules is None else trio_of(grades, bands=policy, rules=rules)
    return ReportAction(
        ref=action.ref, finding_ref=finding.ref, room=room, summary=action_summary(finding),
        band=band_info(policy, action.band), owner=action.owner_label, target_date=action.target_date,
        interim_control=action.interim_control, interim_by=action.interim_by,
        status=ActionStatus(action.status).label, age_days=max(0, (today - action.created_at.date()).days),
        overdue_days=overdue, ward=ward, site=site, interim_review_date=action.interim_review_date,
        interim_past_review=interim_past_review(action.interim_review_date, status_open=action.is_open, today=today),
        accepted=accepted, grades=grades_text(trio),
    )


def grades_text(trio: GradeTrio) -> str:
    """Initial, current and target grade on one line (the tracker prints it under the action)."""
    if trio.current is None:
        return "Not graded"
    return " · ".join(f"{name} {g[2]} {g[3].capitalize()}" for name, g in
                      (("Initial", trio.initial), ("current", trio.current), ("target", trio.target)))


def tracker_order(action: ReportAction, rank: dict[str, int]) -> tuple:
    """Worst band first, then most overdue, then nearest target date."""
    return (-rank.get(action.band.code, -1), -action.overdue_days, action.target_date, action.ref)


BAND_RANK = {band.value: band.rank for band in Band}
