"""``flask --app wsgi notify``: queue today's overdue digest and send every due message (for cron)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from inspect_app import transaction
from inspect_app.clock import utcnow
from inspect_app.notifications import mailer, services


@click.command("notify")
@click.option("--no-digest", is_flag=True, help="Only send what is queued; do not queue the daily digest.")
@with_appcontext
@transaction.command()
def notify(no_digest: bool) -> str:
    """Queue the daily digest of overdue actions (once a day) and deliver queued email."""
    now = utcnow()
    queued = 0 if no_digest else len(services.queue_digest(now=now))
    transaction.checkpoint()  # the digest is queued before anything is sent
    report = mailer.deliver(now)
    return (f"digest queued: {queued}; sent: {report.sent}; failed (will retry): {report.failed}; "
               f"waiting for MAIL_SERVER: {report.waiting}")


COMMANDS = [notify]
