"""Queue remediation emails: a message for each new High or Extreme action, and a daily digest of
overdue items. Queuing only writes rows (the caller commits); ``mailer.deliver`` sends them."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.actions.models import Action
from inspect_app.auth.models import User
from inspect_app.domain.risk import Band
from inspect_app.domain.workflow import OPEN_STATUSES, Role
from inspect_app.estates.models import Ward, ward_managers
from inspect_app.extensions import db
from inspect_app.notifications.models import Notification
from inspect_app.public_url import absolute

NOTIFY_BANDS = {Band.HIGH.value, Band.EXTREME.value}
OPEN_VALUES = [s.value for s in OPEN_STATUSES]


def queue(*, to: str, subject: str, body: str, kind: str, dedupe_key: str, now: datetime,
          action_id: int | None = None) -> Notification | None:
    """Add one message unless one with the same key is already queued or sent.

    :param dedupe_key: identifies the event and recipient; a repeat returns None.
    """
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None:
        return None
    message = Notification(to_address=to, subject=subject[:200], body=body, kind=kind, dedupe_key=dedupe_key,
                           action_id=action_id, attempts=0, created_at=now, next_attempt_at=now)
    db.session.add(message)
    db.session.flush()
    return message


def _link(path: str) -> str:
    return absolute(path)


def queue_new_action(action: Action, *, now: datetime) -> list[Notification]:
    """Email the ward's managers and the action's owner about a new High or Extreme action.

    :param action: the action just created (flushed, so it has an id).
    """
    if action.band not in NOTIFY_BANDS:
        return []
    ward = action.ward or db.session.get(Ward, action.ward_id)
    people = [u for u in ward.managers if u.active]
    if action.owner_id and action.owner and action.owner.active:
        people.append(action.owner)
    band = Band(action.band).label
    subject = f"[{band}] New ligature action {action.ref} on {ward.name}"
    # Email leaves the trust's systems: the ward, the reference, the band, the dates and a link,
    # never what the ligature point is or where in the room (that stays behind the sign-in).
    lines = [f"A {band} ligature point needs remediation on {ward.name} ({ward.site.name}).", "",
             f"Action: {action.ref}", f"Band: {band}", f"Owner: {action.owner_label}",
             f"Target date: {action.target_date:%d %b %Y}"]
    if action.interim_by is not None:
        lines.append(f"Interim control needed by: {action.interim_by:%d %b %Y %H:%M} (UTC)")
    lines += ["", f"Open it (sign-in needed): {_link(f'/actions/{action.id}')}"]
    out = []
    for person in {p.email: p for p in people}.values():
        message = queue(to=person.email, subject=subject, body="\n".join(lines), kind="new_action",
                        dedupe_key=f"new-action:{action.id}:{person.email}", now=now, action_id=action.id)
        if message is not None:
            out.append(message)
    return out


def _leads() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True),
                                                      User.role == Role.SAFETY_LEAD.value)))


def _send_all(people, *, subject: str, lines: list[str], kind: str, key: str, action: Action,
              now: datetime) -> list[Notification]:
    out = []
    for person in {p.email: p for p in people}.values():
        message = queue(to=person.email, subject=subject, body="\n".join(lines), kind=kind,
                        dedupe_key=f"{key}:{person.email}", now=now, action_id=action.id)
        if message is not None:
            out.append(message)
    return out


def queue_band_raised(action: Action, *, old_band: str, now: datetime, cause: str | None = None
                      ) -> list[Notification]:
    """Tell the action's owner, the ward's managers and every safety lead that its band rose and
    its deadlines moved forward.

    :param cause: a line saying why (e.g. a failed product check); a re-grade when None.
    """
    ward = action.ward or db.session.get(Ward, action.ward_id)
    people = [u for u in ward.managers if u.active] + _leads()
    if action.owner_id and action.owner and action.owner.active:
        people.append(action.owner)
    band, was = Band(action.band).label, Band(old_band).label if old_band else "ungraded"
    finding = action.finding
    lines = [cause or f"A ligature point on {ward.name} ({ward.site.name}) was re-graded from {was} to {band}.", "",
             f"Action: {action.ref}", f"Point: {finding.ref}, {finding.category}"
             + (f": {finding.description}" if finding.description else ""),
             f"Room: {finding.room.name}", f"New target date: {action.target_date:%d %b %Y}"]
    if action.interim_by is not None:
        lines.append(f"Interim control needed by: {action.interim_by:%d %b %Y %H:%M} (UTC)")
    lines += ["", f"Open it: {_link(f'/actions/{action.id}')}"]
    return _send_all(people, subject=f"[{band}] Ligature action {action.ref} raised from {was} on {ward.name}",
                     lines=lines, kind="band_raised", key=f"band-raised:{action.id}:{action.band}:{now.isoformat()}",
                     action=action, now=now)


def queue_acceptance_proposed(action: Action, *, now: datetime) -> list[Notification]:
    """Ask every risk approver to decide on a safety lead's proposal to accept a serious risk."""
    approvers = db.session.scalars(select(User).where(User.active.is_(True),
                                                      User.role == Role.RISK_APPROVER.value)).all()
    ward = action.ward or db.session.get(Ward, action.ward_id)
    band = Band(action.band).label
    lines = [f"A patient safety lead proposes accepting a {band} ligature risk on {ward.name}.", "",
             f"Action: {action.ref}", f"Rationale: {action.proposed_rationale}",
             f"Residual grade: {action.proposed_residual_likelihood} x {action.proposed_residual_consequence}",
             f"Review by: {action.proposed_review_date:%d %b %Y}", "",
             f"Approve or decline: {_link(f'/actions/{action.id}')}"]
    return _send_all(approvers, subject=f"[{band}] Risk acceptance awaiting approval: {action.ref}",
                     lines=lines, kind="acceptance_proposed",
                     key=f"acceptance-proposed:{action.id}:{now.isoformat()}", action=action, now=now)


def queue_digest(*, now: datetime) -> list[Notification]:
    """Queue today's digest of overdue actions for each ward manager (their wards) and each patient
    safety lead (the whole trust). Running it twice in a day queues nothing new."""
    today = now.date()
    by_ward = _digest_actions(now=now)
    managed: dict[int, set[int]] = defaultdict(set)
    for ward_id, user_id in db.session.execute(select(ward_managers.c.ward_id, ward_managers.c.user_id)):
        managed[user_id].add(ward_id)
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(
        [Role.WARD_MANAGER.value, Role.SAFETY_LEAD.value]))).all()
    out = []
    for user in users:
        wards = None if user.role == Role.SAFETY_LEAD.value else managed[user.id]
        items = [a for ward_id, actions in by_ward.items() if wards is None or ward_id in wards for a in actions]
        if not items:
            continue
        items.sort(key=lambda a: (-Band(a.band).rank, a.target_date))
        message = queue(to=user.email, subject=f"Overdue ligature actions: {len(items)} ({today:%d %b %Y})",
                        body=_digest_body(items, now=now), kind="digest",
                        dedupe_key=f"digest:{today.isoformat()}:{user.email}", now=now)
        if message is not None:
            out.append(message)
    return out


def _digest_actions(*, now: datetime) -> dict[int, list[Action]]:
    """Open actions overdue, or whose interim control is missing or past review, by ward (each once)."""
    today = now.date()
    overdue = db.session.scalars(
        select(Action).where(Action.status.in_(OPEN_VALUES), Action.target_date < today)
        .options(joinedload(Action.ward).joinedload(Ward.site), joinedload(Action.finding))
        .order_by(Action.target_date)).unique().all()
    missing = [a for a in db.session.scalars(
        select(Action).where(Action.status.in_(OPEN_VALUES), Action.interim_by < now,
                             Action.interim_in_place_at.is_(None))
        .options(joinedload(Action.ward))).unique()]
    expired = [a for a in db.session.scalars(
        select(Action).where(Action.status.in_(OPEN_VALUES), Action.interim_in_place_at.is_not(None),
                             Action.interim_review_date < today)
        .options(joinedload(Action.ward))).unique()]
    by_ward: dict[int, list[Action]] = defaultdict(list)
    seen: set[int] = set()
    for action in overdue + missing + expired:
        if action.id in seen:
            continue
        seen.add(action.id)
        by_ward[action.ward_id].append(action)
    return by_ward


def _digest_body(items: list[Action], *, now: datetime) -> str:
    """One line per action: reference, band, ward, what is late, and a link that needs sign-in."""
    today = now.date()
    body = [f"Overdue ligature remediation and expired interim controls on {today:%d %b %Y}: "
            f"{len(items)} item(s).", ""]
    for a in items:
        late = (today - a.target_date).days
        flags = [f"{late} day(s) overdue" if late > 0 else None,
                 "interim control missing" if a.interim_missing(now) else None,
                 "interim control expired" if a.interim_expired(today) else None]
        body.append(f"- {a.ref} [{Band(a.band).label}] {a.ward.name}: {', '.join(f for f in flags if f)}"
                    f" — {_link(f'/actions/{a.id}')}")
    return "\n".join(body)


def queue_incident(incident, *, now: datetime) -> list[Notification]:
    """Tell every safety lead that a ligature incident was recorded, and what it changed.

    Like every email, it names the ward, room, type and references, never a patient or what
    the point is: that stays behind the sign-in.
    """
    ward = incident.ward or db.session.get(Ward, incident.ward_id)
    lines = [f"A ligature incident was recorded on {ward.name} ({ward.site.name}).", "",
             f"Incident: {incident.ref}" + (f" ({incident.reference})" if incident.reference else ""),
             f"When: {incident.occurred_at:%d %b %Y %H:%M}", f"Room: {incident.room.name}",
             f"Type: {incident.type_label}", f"Outcome: {incident.outcome_label}",
             (f"Point: {incident.finding.ref}, re-graded: it has happened here" if incident.finding is not None
              else "Point not known: a 'find the point' task waits for the next inspection of the room"),
             f"{ward.name} is flagged for re-assessment.", "",
             f"Open it (sign-in needed): {_link(f'/incidents/{incident.id}')}"]
    out = []
    for person in {p.email: p for p in _leads()}.values():
        message = queue(to=person.email, subject=f"Ligature incident {incident.ref} on {ward.name}",
                        body="\n".join(lines), kind="incident", dedupe_key=f"incident:{incident.id}:{person.email}",
                        now=now)
        if message is not None:
            out.append(message)
    return out


def queue_trust_check(check, *, now: datetime) -> list[Notification]:
    """Tell each ward's managers that their ward has a trust-wide check to answer, and by when."""
    out = []
    for task in check.tasks:
        ward = task.ward or db.session.get(Ward, task.ward_id)
        lines = [f"A patient safety lead asks every ward to check: {check.title}.", "",
                 f"Check: {check.ref}", f"Ward: {ward.name} ({ward.site.name})",
                 f"Known matches on this ward: {len(task.matches)}", f"Answer by: {task.due_on:%d %b %Y}", "",
                 f"Answer it (sign-in needed): {_link(f'/learning/tasks/{task.id}')}"]
        for person in {p.email: p for p in ward.managers if p.active}.values():
            message = queue(to=person.email, subject=f"Trust-wide check {check.ref} for {ward.name}",
                            body="\n".join(lines), kind="trust_check",
                            dedupe_key=f"trust-check:{task.id}:{person.email}", now=now)
            if message is not None:
                out.append(message)
    return out
