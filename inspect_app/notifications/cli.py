"""``flask --app wsgi notify``: queue today's overdue digest and send every due message (for cron)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from inspect_app.clock import utcnow
from inspect_app.extensions import db
from inspect_app.notifications import mailer, services


@click.command("notify")
@click.option("--no-digest", is_flag=True, help="Only send what is queued; do not queue the daily digest.")
@with_appcontext
def notify(no_digest: bool) -> None:
    """Queue the daily digest of overdue actions (once a day) and deliver queued email."""
    now = utcnow()
    queued = 0 if no_digest else len(services.queue_digest(now=now))
    db.session.commit()
    report = mailer.deliver(now)
    click.echo(f"digest queued: {queued}; sent: {report.sent}; failed (will retry): {report.failed}; "
               f"waiting for MAIL_SERVER: {report.waiting}")


COMMANDS = [notify]
