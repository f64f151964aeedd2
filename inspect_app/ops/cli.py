"""``flask --app wsgi backup DEST`` and ``flask --app wsgi restore SRC``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from inspect_app.clock import utcnow
from inspect_app.extensions import db
from inspect_app.ops.backup import BackupError, Target, backup
from inspect_app.ops.restore import restore
from inspect_app.stores import photo_store


def _target() -> Target:
    return Target(current_app.config["SQLALCHEMY_DATABASE_URI"], photo_store())


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(dest: Path) -> None:
    """Write a consistent snapshot of the database and photos, with checksums, to DEST."""
    try:
        manifest = backup(dest, _target(), now=utcnow(), key=current_app.config.get("BACKUP_KEY") or "")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {dest}: {manifest['database']} database, {manifest['photo_files']} photo files, "
               f"{len(manifest['files'])} files checksummed in {dest / 'manifest.json'}.")


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(src: Path, yes: bool) -> None:
    """Verify the backup in SRC, then replace the database and photos with it.

    Stop the app servers first: sessions open during a restore would see a half-restored state.
    """
    if not yes:
        click.confirm(f"Replace the database and every photo with the backup in {src}?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    try:
        manifest = restore(src, _target(), key=current_app.config.get("BACKUP_KEY") or "")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if manifest.get("ignored"):
        click.echo(f"Ignored SQLite side files beside the backup's database ({', '.join(manifest['ignored'])}): "
                   "they are left by opening the copy and are not part of the backup; the verified database "
                   "file alone was restored.")
    click.echo(f"Restored the backup of {manifest['created_at']} ({manifest['photo_files']} photo files); "
               "the signature and every checksum matched.")


COMMANDS = [backup_command, restore_command]
