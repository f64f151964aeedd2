"""``flask backup`` / ``flask restore``: a verified round trip, and tampered backups refused."""
from __future__ import annotations

import json

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select

from inspect_app.estates.models import Ward
from inspect_app.extensions import db
from inspect_app.ops.backup import sha256_of
from inspect_app.photos.models import Photo
from inspect_app.photos.services import storage
from tests.conftest import ON_POSTGRES, ROOT


@pytest.fixture
def backed_up(stored_photo, cli, tmp_path):
    """Demo data and one photo, backed up to ``tmp_path / 'backup'``; returns (photo, backup dir)."""
    photo = stored_photo(7)
    destination = tmp_path / "backup"
    result = cli.invoke(args=["backup", str(destination)])
    assert result.exit_code == 0, result.output
    return photo, destination


def _fresh():
    """Forget what the session cached: the restore replaced the rows underneath it."""
    db.session.remove()


def test_backup_writes_database_photos_and_a_checksummed_manifest(backed_up):
    photo, destination = backed_up
    manifest = json.loads((destination / "manifest.json").read_text())
    assert manifest["database"] == ("postgresql" if ON_POSTGRES else "sqlite")
    heads = ScriptDirectory(str(ROOT / "migrations")).get_heads()
    assert manifest["photo_files"] == 3 and sorted(manifest["migration_heads"]) == sorted(heads)
    assert manifest["files"][f"photos/{photo.key_large}"] == photo.sha256
    for name, digest in manifest["files"].items():
        assert sha256_of(destination / name) == digest
    assert manifest["database_file"] in manifest["files"]


def test_round_trip_brings_back_data_and_photos(backed_up, cli, stored_photo):
    photo, destination = backed_up
    large, uuid, digest = photo.key_large, photo.uuid, photo.sha256
    ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
    ward.name = "Renamed after the backup"
    db.session.commit()
    ward_id = ward.id
    later = stored_photo(8)  # a photo the backup does not know
    later_key = later.key_large
    storage().delete(large)  # and a file lost
    result = cli.invoke(args=["restore", str(destination), "--yes"])
    assert result.exit_code == 0, result.output
    assert "every checksum matched" in result.output
    _fresh()
    assert db.session.scalar(select(Ward.name).where(Ward.id == ward_id)) == "Larch Ward"
    assert [p.uuid for p in db.session.scalars(select(Photo))] == [uuid]
    assert storage().read(large) and sha256_of(storage().open_path(large)) == digest
    assert not storage().exists(later_key)
    check = cli.invoke(args=["photos", "check", "--checksums", "--grace-minutes", "0"])
    assert check.exit_code == 0 and "Orphaned files (no record): 0" in check.output


@pytest.mark.parametrize("tamper, message", [
    ("photo", "checksum mismatch: photos/"),
    ("database", "checksum mismatch: database"),
    ("extra", "not in the manifest: photos/extra.jpg"),
    ("missing", "missing: photos/"),
    ("manifest", "not valid JSON"),
    ("database_and_checksum", "signature does not match"),  # edited together: only the key could re-sign
    ("unsigned", "not signed"),
    ("resigned", "signed with another BACKUP_KEY"),
])
def test_tampered_backups_are_refused_and_nothing_changes(backed_up, cli, tamper, message):
    photo, destination = backed_up
    if tamper == "photo":
        path = destination / "photos" / photo.key_thumb
        path.write_bytes(path.read_bytes() + b"\0")
    elif tamper == "database":
        manifest = json.loads((destination / "manifest.json").read_text())
        with (destination / manifest["database_file"]).open("ab") as fh:
            fh.write(b"tampered")
    elif tamper == "extra":
        (destination / "photos" / "extra.jpg").write_bytes(b"planted")
    elif tamper == "missing":
        (destination / "photos" / photo.key_report).unlink()
    elif tamper in ("database_and_checksum", "unsigned", "resigned"):
        manifest = json.loads((destination / "manifest.json").read_text())
        database = destination / manifest["database_file"]
        with database.open("ab") as fh:
            fh.write(b"rewritten audit rows")
        manifest["files"][manifest["database_file"]] = sha256_of(database)
        if tamper == "unsigned":
            manifest.pop("signature")
        if tamper == "resigned":
            from inspect_app.ops.manifest import sign

            manifest = sign(manifest, "a key someone else chose, 32 characters or more")
        (destination / "manifest.json").write_text(json.dumps(manifest))
    else:
        (destination / "manifest.json").write_text("{not json")
    ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
    ward.name = "Changed after the backup"
    db.session.commit()
    ward_id = ward.id
    result = cli.invoke(args=["restore", str(destination), "--yes"])
    assert result.exit_code != 0
    assert message in result.output
    _fresh()
    assert db.session.scalar(select(Ward.name).where(Ward.id == ward_id)) == "Changed after the backup"


def test_backup_refuses_a_non_empty_destination(stored_photo, cli, tmp_path):
    stored_photo(1)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "something").write_text("x")
    result = cli.invoke(args=["backup", str(tmp_path / "busy")])
    assert result.exit_code != 0 and "is not empty" in result.output


def test_restore_asks_before_overwriting(backed_up, cli):
    _, destination = backed_up
    result = cli.invoke(args=["restore", str(destination)], input="n\n")
    assert result.exit_code != 0 and "Replace the database" in result.output


def test_backup_needs_a_key_and_keeps_it_out_of_the_backup(stored_photo, cli, app, tmp_path):
    stored_photo(1)
    signed = cli.invoke(args=["backup", str(tmp_path / "signed")])
    assert signed.exit_code == 0
    assert app.config["BACKUP_KEY"] not in (tmp_path / "signed" / "manifest.json").read_text()
    app.config["BACKUP_KEY"] = ""
    refused = cli.invoke(args=["backup", str(tmp_path / "unsigned")])
    assert refused.exit_code != 0 and "BACKUP_KEY" in refused.output


def test_stale_sqlite_side_files_beside_the_backup_are_ignored_and_reported(backed_up, cli):
    _photo, destination = backed_up
    manifest = json.loads((destination / "manifest.json").read_text())
    # left by opening the copy (even read-only); the -wal holds pages SQLite would otherwise read
    (destination / (manifest["database_file"] + "-wal")).write_bytes(b"\0" * 4096)
    (destination / (manifest["database_file"] + "-shm")).write_bytes(b"\0" * 32768)
    ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
    ward.name = "Renamed after the backup"
    db.session.commit()
    ward_id = ward.id
    result = cli.invoke(args=["restore", str(destination), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Ignored SQLite side files" in result.output and "-wal" in result.output
    _fresh()
    assert db.session.scalar(select(Ward.name).where(Ward.id == ward_id)) == "Larch Ward"
