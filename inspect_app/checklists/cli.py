"""``flask --app wsgi checklists import PATH`` and ``export``."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from inspect_app import transaction
from inspect_app.checklists import library
from inspect_app.checklists.models import ChecklistTemplate
from inspect_app.clock import utcnow
from inspect_app.extensions import db

checklists_cli = AppGroup("checklists", help="Checklist library commands.")


@checklists_cli.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish/--draft", default=True, help="Publish the imported version at once (default).")
@transaction.command(library.LibraryError, json.JSONDecodeError, UnicodeDecodeError)
def import_command(path: Path | None, publish: bool) -> str:
    """Import a checklist library JSON file (the built-in library when PATH is omitted)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path else library.load_builtin()
    template = library.import_library(data, by=None, now=utcnow(), publish=publish)
    return (f"Imported {template.title} ({len(template.items)} items, {template.status}).")


@checklists_cli.command("export")
@click.argument("template_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@transaction.command()
def export_command(template_id: int, path: Path) -> None:
    """Write a template to a JSON file."""
    template = db.session.get(ChecklistTemplate, template_id)
    if template is None:
        raise click.ClickException(f"No checklist template with id {template_id}.")
    path.write_text(json.dumps(library.export_template(template), indent=1, ensure_ascii=False), encoding="utf-8")
    click.echo(f"Wrote {template.title} to {path}.")


COMMANDS = [checklists_cli]
