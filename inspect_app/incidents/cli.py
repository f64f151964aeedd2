"""``flask --app wsgi incidents import FILE --as EMAIL``: the CSV import from the command line,
through the same preview and all-or-nothing import as the page (the named account's rights)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from inspect_app import transaction
from inspect_app.auth.services import find_user
from inspect_app.clock import utcnow
from inspect_app.incidents import importing, services

incidents_cli = AppGroup("incidents", help="Ligature incident commands.")


def _echo_preview(checked: importing.Preview) -> None:
    click.echo(f"{len(checked.ready)} to import, {len(checked.already)} already recorded, {len(checked.bad)} bad.")
    for line, reason in checked.bad:
        click.echo(f"  row {line}: {reason}")


@incidents_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="The safety lead or admin account the import is recorded by.")
@click.option("--mapping", help='Columns as JSON, e.g. {"reference": "Ref", ...}; default: the recognised headers.')
@click.option("--dry-run", is_flag=True, help="Show the preview only.")
@transaction.command(importing.ImportRefused, services.IncidentError, ValueError)
def import_command(path: Path, email: str, mapping: str | None, dry_run: bool) -> str | None:
    """Import incidents from a CSV export: nothing at all while any row is bad."""
    user = find_user(email)
    if user is None or not user.active or user.role not in {r.value for r in services.IMPORTERS}:
        raise click.ClickException("Name an active safety lead or admin account with --as.")
    columns = json.loads(mapping) if mapping else None
    data = path.read_bytes()
    _echo_preview(importing.preview(data, columns, by=user, now=utcnow()))
    if dry_run:
        transaction.rollback()  # the preview is all a dry run leaves
        return None
    made = importing.import_rows(data, columns, by=user, now=utcnow())
    return f"Imported {len(made)} incident(s)."


COMMANDS = [incidents_cli]
