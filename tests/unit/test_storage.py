"""Local photo storage: durable writes, key validation and listing."""

import os
import stat
import uuid

import pytest

from inspect_app.stores import storage as storage_module
from inspect_app.stores.storage import LocalStorage, PhotoStorage, rendition_key

KEY = "ab/cd/0b7e0a4c-7d3e-4a5e-9a53-1d2a3b4c5d6e-large.jpg"


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "photos")


def leftover_temp_files(root):
    return [name for _dir, _subdirs, names in os.walk(root) for name in names if name.endswith(".tmp")]


def test_local_storage_satisfies_the_protocol(storage):
    assert isinstance(storage, PhotoStorage)


def test_put_then_read_round_trips_and_creates_directories(storage):
    storage.put(KEY, b"jpeg bytes")
    assert storage.read(KEY) == b"jpeg bytes"
    assert storage.exists(KEY)
    assert leftover_temp_files(storage.root) == []


def test_open_path_gives_a_file_inside_the_root(storage):
    storage.put(KEY, b"jpeg bytes")
    path = storage.open_path(KEY)
    assert path.read_bytes() == b"jpeg bytes"
    assert path.resolve().is_relative_to(storage.root.resolve())


def test_put_replaces_an_existing_value(storage):
    storage.put(KEY, b"old")
    storage.put(KEY, b"new")
    assert storage.read(KEY) == b"new"


def test_put_fsyncs_the_file_and_its_directory(storage, monkeypatch):
    storage.put("ab/first.jpg", b"x")  # directories exist now; count only this put's syncs
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.fstat(fd).st_mode) or real_fsync(fd))
    storage.put("ab/second.jpg", b"y")
    kinds = ["dir" if stat.S_ISDIR(mode) else "file" for mode in synced]
    assert kinds == ["file", "dir"]


def test_failed_replace_keeps_the_old_value_and_no_temp_file(storage, monkeypatch):
    storage.put(KEY, b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        storage.put(KEY, b"new")
    assert storage.read(KEY) == b"old"
    assert leftover_temp_files(storage.root) == []


def test_delete_removes_and_tolerates_missing_keys(storage):
    storage.put(KEY, b"x")
    storage.delete(KEY)
    storage.delete(KEY)
    assert not storage.exists(KEY)


def test_missing_key_raises_file_not_found(storage):
    with pytest.raises(FileNotFoundError):
        storage.read(KEY)
    with pytest.raises(FileNotFoundError):
        storage.open_path(KEY)


def test_keys_lists_every_stored_key_sorted_and_skips_temp_files(storage):
    wanted = ["zz/yy/c-thumb.jpg", "ab/cd/a-large.jpg", "ab/b-report.jpg", "top.jpg"]
    for key in wanted:
        storage.put(key, b"x")
    (storage.root / "ab" / "cd" / ".a-large.jpg.k2j3.tmp").write_bytes(b"half written")
    assert list(storage.keys()) == sorted(wanted)


def test_keys_of_an_empty_store_is_empty(storage):
    assert list(storage.keys()) == []


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../outside.jpg",
        "ab/../../outside.jpg",
        "ab/..",
        "a..b.jpg",
        "/etc/passwd",
        "ab//cd.jpg",
        "ab/cd/",
        "./ab.jpg",
        "ab/.hidden.jpg",
        "ab\\cd.jpg",
        "ab/c d.jpg",
        "ab/caf\u00e9.jpg",
        "ab/cd.jpg\0",
        "x" * 256,
    ],
)
@pytest.mark.parametrize("operation", ["put", "read", "exists", "delete", "open_path"])
def test_unsafe_keys_are_refused(storage, key, operation):
    args = (key, b"x") if operation == "put" else (key,)
    with pytest.raises(ValueError, match="invalid storage key"):
        getattr(storage, operation)(*args)
    assert not storage.root.exists()


def test_rendition_key_shards_by_the_uuid():
    photo_id = uuid.UUID("0b7e0a4c-7d3e-4a5e-9a53-1d2a3b4c5d6e")
    key = rendition_key(photo_id, "large")
    assert key == "0b/7e/0b7e0a4c-7d3e-4a5e-9a53-1d2a3b4c5d6e-large.jpg"
    assert storage_module.validate_key(key) == key
