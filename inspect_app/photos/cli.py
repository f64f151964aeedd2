"""``flask --app wsgi photos check [--remove-orphans]``: orphaned and missing photo files."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from inspect_app import transaction
from inspect_app.photos import check
from inspect_app.photos.services import storage

photos_group = AppGroup("photos", help="Photo store maintenance.")


@photos_group.command("check")
@click.option("--remove-orphans", is_flag=True, help="Delete files that no photo record names.")
@click.option("--grace-minutes", type=click.IntRange(min=0), default=10, show_default=True,
              help="Leave unreferenced files younger than this alone: their upload may still be committing.")
@click.option("--checksums", is_flag=True, help="Also re-hash every large rendition against its record.")
@transaction.command()
def check_command(remove_orphans: bool, grace_minutes: int, checksums: bool) -> None:
    """Report photo files with no record (orphans) and records whose files are missing.

    Exits with status 1 when a file is missing or corrupt, so a scheduled run can alert.
    """
    store = storage()
    report = check.check_photos(store, grace_seconds=grace_minutes * 60, checksums=checksums)
    click.echo(f"{report.rows} photo records, {report.files} stored files.")
    click.echo(f"Orphaned files (no record): {len(report.orphans)}")
    for key in report.orphans:
        click.echo(f"  orphan  {key}")
    if report.recent_orphans:
        click.echo(f"Unreferenced files younger than {grace_minutes} min (left alone): {len(report.recent_orphans)}")
    click.echo(f"Missing files (record without file): {len(report.missing)}")
    for photo_uuid, key in report.missing:
        click.echo(f"  missing {key} (photo {photo_uuid})")
    if checksums:
        click.echo(f"Corrupt files (checksum differs): {len(report.corrupt)}")
        for photo_uuid, key in report.corrupt:
            click.echo(f"  corrupt {key} (photo {photo_uuid})")
    if remove_orphans:
        click.echo(f"Removed {check.remove_orphans(store, report)} orphaned files.")
    elif report.orphans:
        click.echo("Run again with --remove-orphans to delete the orphaned files.")
    if not report.ok:
        raise SystemExit(1)


COMMANDS = [photos_group]
