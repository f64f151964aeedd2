"""Notifications over a real SMTP server on loopback (aiosmtpd): new High/Extreme actions, the daily
digest, and a mail server that is down (the queue is kept, retried later, delivered exactly once)."""
from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from inspect_app.clock import utcnow
from inspect_app.extensions import db
from inspect_app.notifications import mailer, services
from inspect_app.notifications.models import Notification


class Inbox:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app):
    """Point the app at a loopback port; ``start()`` brings the server up (it starts down)."""
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="wsi@trust.test")
    inbox = Inbox()
    controllers = []

    def start():
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)

    inbox.start = start
    yield inbox
    for controller in controllers:
        controller.stop()


def test_new_extreme_action_emails_ward_managers_and_owner_once(make_action, people, smtp):
    smtp.start()
    action = make_action(ward="Larch Ward", likelihood=5, consequence=5)
    queued = db.session.scalars(select(Notification).where(Notification.action_id == action.id)).all()
    assert [n.to_address for n in queued] == ["manager@demo.nhs.test"]
    report = mailer.deliver(utcnow())
    assert (report.sent, report.failed) == (1, 0)
    rcpts, message = smtp.messages[0]
    assert rcpts == ["manager@demo.nhs.test"]
    assert message["Subject"] == f"[Extreme] New ligature action {action.ref} on Larch Ward"
    body = message.get_payload()
    assert f"/actions/{action.id}" in body
    # the ward, the reference, the band, the due date and a link; never what or where the point is
    assert all(text in body for text in ("Larch Ward", action.ref, "Band: Extreme", f"{action.target_date:%d %b %Y}"))
    assert "Door closer arm" not in body and "Day room" not in body and not message.is_multipart()
    assert mailer.deliver(utcnow() + timedelta(days=1)).sent == 0
    assert len(smtp.messages) == 1


def test_owner_is_emailed_and_moderate_actions_are_not_notified(make_action, people):
    from inspect_app.actions import services as actions

    action = make_action(likelihood=3, consequence=3, room="Day room")  # High
    actions.assign_owner(action, owner=people["inspector"], by=people["safety_lead"], now=utcnow())
    assert sorted(n.to_address for n in services.queue_new_action(action, now=utcnow())) == ["inspector@demo.nhs.test"]
    moderate = make_action(likelihood=2, consequence=2, room="Quiet room")
    assert services.queue_new_action(moderate, now=utcnow()) == []


def test_mail_server_down_keeps_queue_and_delivers_exactly_once_later(make_action, smtp):
    make_action(likelihood=5, consequence=4)
    now = utcnow()
    report = mailer.deliver(now)
    assert (report.sent, report.failed) == (0, 1)
    message = db.session.scalar(select(Notification))
    assert message.sent_at is None and message.attempts == 1 and "Connection" in message.last_error
    assert message.next_attempt_at == now + mailer.FIRST_RETRY
    smtp.start()
    assert mailer.deliver(now + timedelta(minutes=1)).sent == 0  # not due yet: back-off respected
    assert mailer.deliver(now + timedelta(minutes=6)).sent == 1
    assert mailer.deliver(now + timedelta(hours=7)).sent == 0
    assert len(smtp.messages) == 1
    db.session.refresh(message)
    assert message.sent_at == now + timedelta(minutes=6) and message.attempts == 2 and message.last_error is None


def test_backoff_grows_and_is_capped():
    assert [mailer.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=5), timedelta(minutes=10),
                                                     timedelta(minutes=20)]
    assert mailer.backoff(30) == mailer.LONGEST_WAIT


def test_notify_command_queues_one_digest_a_day_and_sends_it(app, make_action, smtp):
    smtp.start()
    make_action(now=utcnow() - timedelta(days=20), description="Late closer")  # Extreme, target 7 days
    db.session.query(Notification).delete()  # only the digest matters here
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    assert "digest queued: 2; sent: 2" in result.output
    digests = {rcpts[0]: message for rcpts, message in smtp.messages}
    assert set(digests) == {"manager@demo.nhs.test", "safety@demo.nhs.test"}
    body = digests["manager@demo.nhs.test"].get_payload()
    assert "13 day(s) overdue" in body and "interim control missing" in body
    again = runner.invoke(args=["notify"])
    assert "digest queued: 0; sent: 0" in again.output
    assert len(smtp.messages) == 2
