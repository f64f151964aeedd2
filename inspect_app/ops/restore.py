"""Restore a backup made by :mod:`inspect_app.ops.backup`, after checking every checksum.

Nothing is touched until the whole backup verifies: the manifest's signature under BACKUP_KEY
(``ops/manifest.py``), then every file's checksum; a missing, altered or unexpected file stops
the restore with a message naming it. SQLite side files (``-wal``, ``-shm``, ``-journal``) beside
the database copy are left by anything that merely opened it; they are not part of the backup,
so they are ignored (and reported): the restore reads a private copy of the verified file alone.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from inspect_app.ops import manifest as signing
from inspect_app.ops.backup import (
    DB_FILES,
    FORMAT,
    MANIFEST,
    PHOTOS,
    BackupError,
    Target,
    copy_sqlite,
    pg_args,
    run_tool,
    sha256_of,
    sqlite_path,
)
from inspect_app.stores.storage import LocalStorage, PhotoStorage

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def side_files(source: Path, manifest: dict) -> list[str]:
    """SQLite's side files next to the backup's database copy (not part of the backup)."""
    name = manifest.get("database_file")
    if not isinstance(name, str):
        return []
    return [name + suffix for suffix in SIDE_SUFFIXES if (Path(source) / (name + suffix)).is_file()]


def verify(source: Path, key: str | bytes) -> dict:
    """Check the manifest's signature and the files against it; return the manifest (with the
    side files it ignored under ``"ignored"``) or raise BackupError."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}; it is not a backup made by this application.") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{source / MANIFEST} is not valid JSON; the backup is damaged.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{source / MANIFEST} is not a format-{FORMAT} manifest.")
    try:
        signing.check(manifest, key)
    except signing.SignatureError as exc:
        raise BackupError(f"Backup verification failed, nothing was restored: {exc}.") from None
    listed = manifest["files"]
    ignored = side_files(source, manifest)
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {MANIFEST, *ignored}
    problems = [f"missing: {name}" for name in sorted(set(listed) - present)]
    problems += [f"not in the manifest: {name}" for name in sorted(present - set(listed))]
    problems += [f"checksum mismatch: {name}" for name in sorted(set(listed) & present)
                 if sha256_of(source / name) != listed[name]]
    if manifest.get("database") not in DB_FILES or manifest.get("database_file") not in listed:
        problems.append("the manifest does not name a database file")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise BackupError(f"Backup verification failed, nothing was restored: {shown}.")
    return {**manifest, "ignored": ignored}


def _restore_photos(source: Path, store: PhotoStorage) -> None:
    if isinstance(store, LocalStorage):
        _swap_local_photos(source, store.root)
    else:
        _sync_photos(source, store)


def _sync_photos(source: Path, store: PhotoStorage) -> None:
    """Object storage: put every backed-up file (each put atomic), then delete what the backup lacks."""
    wanted = set()
    folder = source / PHOTOS
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file():
            key = path.relative_to(folder).as_posix()
            store.put(key, path.read_bytes())
            wanted.add(key)
    for key in store.keys():
        if key not in wanted:
            store.delete(key)


def _swap_local_photos(source: Path, photo_root: Path) -> None:
    """Build the new photo tree beside the old one, then swap them by renaming."""
    photo_root.parent.mkdir(parents=True, exist_ok=True)
    incoming = photo_root.with_name(photo_root.name + ".restoring")
    outgoing = photo_root.with_name(photo_root.name + ".replaced")
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    if (source / PHOTOS).is_dir():
        shutil.copytree(source / PHOTOS, incoming)
    else:
        incoming.mkdir()
    if photo_root.exists():
        photo_root.rename(outgoing)
    incoming.rename(photo_root)
    shutil.rmtree(outgoing, ignore_errors=True)


def restore(source: Path, target: Target, *, key: str | bytes) -> dict:
    """Verify ``source``, then replace the database and the photos with it; return the manifest.

    :param source: a backup directory.
    :param target: the live database URL and photo store to overwrite.
    :param key: BACKUP_KEY, which must verify the manifest's signature.
    """
    source = Path(source)
    manifest = verify(source, key)
    if manifest["database"] != target.kind:
        raise BackupError(f"This backup holds a {manifest['database']} database but the app uses {target.kind}; "
                          "restore it into a matching database.")
    backup_file = source / manifest["database_file"]
    if target.kind == "sqlite":
        with tempfile.TemporaryDirectory() as scratch:
            # The verified file alone, away from any -wal/-shm beside it (SQLite would read them),
            # checked again after copying: what is restored is exactly what was verified.
            private = Path(scratch) / "verified.sqlite3"
            shutil.copyfile(backup_file, private)
            if sha256_of(private) != manifest["files"][manifest["database_file"]]:
                raise BackupError("The database copy changed while it was being restored; nothing was restored.")
            # Pages copied into the live file through SQLite, so its WAL and other connections stay coherent.
            copy_sqlite(private, sqlite_path(target.url))
    else:
        args, env = pg_args(target.url)
        run_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args,
              str(backup_file)], env)
    _restore_photos(source, target.photos)
    return manifest
