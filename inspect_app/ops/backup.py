"""Consistent backups and verified restores: the database, the photo files and a manifest.

Layout of a backup directory::

    manifest.json        format, time, database kind, migration heads, SHA-256 of every file,
                         signed with BACKUP_KEY (``ops/manifest.py``), a key kept out of the backup
    database.sqlite3     SQLite: made with the online backup API (safe while the app runs)
    database.pgdump      PostgreSQL: ``pg_dump -Fc``
    photos/...           the photo store, key by key (local disk or S3: the same layout)

The database is copied before the photos. Photo files are fsynced before their row commits,
so every row in the snapshot has its files in the copy; a file written after the snapshot is
at worst an orphan, which ``photos check --remove-orphans`` clears.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from inspect_app.ops import manifest as signing
from inspect_app.stores.storage import PhotoStorage

FORMAT = 1
MANIFEST = "manifest.json"
PHOTOS = "photos"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead, with a message for the operator."""


@dataclass(frozen=True)
class Target:
    """Where the live data is: the SQLAlchemy database URL and the photo store."""

    database_url: str
    photos: PhotoStorage

    @property
    def url(self) -> URL:
        return make_url(self.database_url)

    @property
    def kind(self) -> str:
        backend = self.url.get_backend_name()
        if backend not in DB_FILES:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
        return backend


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes in the environment, not argv."""
    args = [f"--dbname={url.database}"]
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    env = dict(os.environ, PGPASSWORD=url.password or "") if url.password else dict(os.environ)
    return args, env


def run_tool(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not on PATH; install the PostgreSQL client tools.") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.returncode}")


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def copy_sqlite(source: Path, destination: Path) -> None:
    """Page-by-page copy through SQLite itself: consistent even while others write (WAL)."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(destination)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _migration_heads(target: Target) -> list[str]:
    engine = create_engine(target.database_url)
    try:
        with engine.connect() as conn:
            return sorted(row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def backup(destination: Path, target: Target, *, now: datetime, key: str | bytes) -> dict:
    """Write a backup into ``destination`` (which must be new or empty); return the manifest.

    :param destination: directory to create.
    :param target: the live database URL and photo store.
    :param now: the backup time, recorded in the manifest.
    :param key: BACKUP_KEY, which signs the manifest (and is not written into the backup).
    """
    try:
        signing.key_id(key)
    except signing.SignatureError as exc:
        raise BackupError(str(exc)) from None
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty; choose a new directory for the backup.")
    destination.mkdir(parents=True, exist_ok=True)
    kind = target.kind
    db_file = destination / DB_FILES[kind]
    if kind == "sqlite":
        copy_sqlite(sqlite_path(target.url), db_file)
    else:
        args, env = pg_args(target.url)
        run_tool(["pg_dump", "--format=custom", "--no-owner", f"--file={db_file}", *args], env)
    photo_count = 0
    for photo_key in target.photos.keys():
        copy = destination / PHOTOS / photo_key
        copy.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.photos.open(photo_key) as source, copy.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
        except FileNotFoundError:  # an orphan removed since the listing
            copy.unlink(missing_ok=True)
            continue
        photo_count += 1
    files = {p.relative_to(destination).as_posix(): sha256_of(p)
             for p in sorted(destination.rglob("*")) if p.is_file()}
    manifest = {"format": FORMAT, "created_at": now.isoformat(timespec="seconds") + "Z", "database": kind,
                "database_file": db_file.name, "migration_heads": _migration_heads(target),
                "photo_files": photo_count, "files": files}
    manifest = signing.sign(manifest, key)
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest
