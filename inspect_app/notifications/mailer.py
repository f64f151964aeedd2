"""Send queued notifications over SMTP, one connection per run, committing after each message so a
message is sent once; a failure keeps the message queued with its error and a later retry time."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from inspect_app import transaction
from inspect_app.extensions import db
from inspect_app.notifications.models import Notification

FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)  # retried for ever (nothing is dropped), but at most every 6 h
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int
    waiting: int


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failures: 5 min, 10, 20 ... capped at 6 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=TIMEOUT_SECONDS)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def _email(message: Notification) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = f"<wsi-{message.dedupe_key.replace(':', '.')}@{current_app.config['MAIL_FROM'].split('@')[-1]}>"
    email.set_content(message.body)
    return email


def _failed(messages: list[Notification], error: Exception, now: datetime) -> None:
    for message in messages:
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        message.next_attempt_at = now + backoff(message.attempts)
    transaction.checkpoint()


def deliver(now: datetime, *, limit: int = 200) -> DeliveryReport:
    """Send every queued message that is due; returns what happened.

    Nothing is sent while ``MAIL_SERVER`` is unset; messages simply wait.
    """
    due = db.session.scalars(select(Notification).where(Notification.sent_at.is_(None),
                                                        Notification.next_attempt_at <= now)
                             .order_by(Notification.id).limit(limit)).all()
    if not due or not current_app.config.get("MAIL_SERVER"):
        return DeliveryReport(0, 0, len(due))
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        _failed(due, exc, now)  # the server is down: every due message waits for the next run
        return DeliveryReport(0, len(due), 0)
    sent = failed = 0
    try:
        for message in due:
            try:
                smtp.send_message(_email(message))
            except (OSError, smtplib.SMTPException) as exc:
                _failed([message], exc, now)
                failed += 1
                continue
            message.sent_at, message.attempts, message.last_error = now, message.attempts + 1, None
            transaction.checkpoint()  # marked sent as it goes: a crash later never sends it twice
            sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass  # the messages are already recorded; a failed goodbye changes nothing
    return DeliveryReport(sent, failed, 0)
