"""``flask --app wsgi alerts load-builtin``: add the verified built-in alerts to the register."""
from __future__ import annotations

from flask.cli import AppGroup

from inspect_app import transaction
from inspect_app.alerts.services import load_builtin_alerts
from inspect_app.clock import utcnow

alerts_cli = AppGroup("alerts", help="Alerts register commands.")


@alerts_cli.command("load-builtin")
@transaction.command()
def load_builtin_command() -> str:
    """Register the built-in ligature-related alerts that are not registered yet."""
    added = load_builtin_alerts(by=None, now=utcnow())
    return (f"Added {len(added)} alert(s): {', '.join(a.label for a in added) or 'none (all present)'}.")


COMMANDS = [alerts_cli]
