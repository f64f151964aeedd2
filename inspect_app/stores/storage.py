"""Where photo renditions and report files live: a small key -> bytes interface.

Keys are relative, slash-separated names such as ``"3f/2a/3f2a...-large.jpg"`` (see
:func:`rendition_key`). Two implementations: :class:`LocalStorage` (files under a directory,
the default) and :class:`inspect_app.stores.s3.S3Storage` (S3-compatible object storage).
Either way a ``put`` is atomic: a reader sees the old value or the whole new one, never part.
A store that cannot be reached raises :class:`StorageUnavailable` (the app answers 503).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

__all__ = ["PhotoStorage", "LocalStorage", "StorageUnavailable", "rendition_key", "validate_key"]


class StorageUnavailable(OSError):
    """The store could not be reached or refused the operation; nothing was written."""

# Every segment starts with a letter, digit, "_" or "-", so ".", "..", hidden files and our
# own ".*.tmp" files can never be keys. No leading "/", no empty segments.
_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9_.-]*"
_KEY_RE = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_MAX_KEY_LENGTH = 255


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative storage key, else raise ValueError."""
    if not _is_valid_key(key):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


def _is_valid_key(key: str) -> bool:
    return len(key) <= _MAX_KEY_LENGTH and ".." not in key and _KEY_RE.fullmatch(key) is not None


def rendition_key(photo_id: uuid.UUID, rendition: str) -> str:
    """``"ab/cd/<uuid>-<rendition>.jpg"``: two directory levels keep directories small."""
    hex_id = photo_id.hex
    return validate_key(f"{hex_id[:2]}/{hex_id[2:4]}/{photo_id}-{rendition}.jpg")


@runtime_checkable
class PhotoStorage(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` durably, replacing any previous value atomically."""

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the bytes (the caller closes it); FileNotFoundError if absent."""

    def read(self, key: str) -> bytes:
        """The stored bytes; FileNotFoundError if absent."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """The stored length in bytes; FileNotFoundError if absent."""

    def modified(self, key: str) -> float:
        """When the value was written, as a POSIX timestamp (the orphan check's grace period)."""

    def delete(self, key: str) -> None:
        """Remove ``key``; deleting a missing key is not an error."""

    def keys(self) -> Iterator[str]:
        """Every stored key, in sorted order (for the orphan check)."""


class LocalStorage:
    """Files under ``root``, one file per key."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        _make_dirs_durably(path.parent)
        # Same directory as the target, so os.replace is an atomic rename on one filesystem.
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)  # makes the rename itself survive a power cut

    def open_path(self, key: str) -> Path:
        """The file holding ``key`` (local storage only); FileNotFoundError if absent."""
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path

    def open(self, key: str) -> BinaryIO:
        return self.open_path(key).open("rb")

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self.open_path(key).stat().st_size

    def modified(self, key: str) -> float:
        return self.open_path(key).stat().st_mtime

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        found = []
        if not self.root.is_dir():
            return iter(found)
        for dirpath, _dirnames, filenames in os.walk(self.root):
            relative = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                key = name if relative == "." else f"{relative}/{name}"
                if _is_valid_key(key):  # skips our temp files and any stray
                    found.append(key)
        return iter(sorted(found))


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs_durably(directory: Path) -> None:
    """mkdir -p, fsyncing the parent of each directory created so the new entries persist."""
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for new_dir in reversed(missing):
        new_dir.mkdir(exist_ok=True)
        _fsync_dir(new_dir.parent)


def local_file(store: PhotoStorage, key: str, cache_dir: Path | str) -> Path:
    """A local file holding ``key``'s bytes, for code that needs a path (ReportLab).

    Local storage hands back its own file. Any other store's object is copied once into
    ``cache_dir`` (atomically, so two workers racing both end with the whole file); keys never
    change their bytes, so the copy never goes stale.
    """
    if isinstance(store, LocalStorage):
        return store.open_path(key)
    path = Path(cache_dir).joinpath(*validate_key(key).split("/"))
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as tmp, store.open(key) as source:
                for chunk in iter(lambda: source.read(1 << 16), b""):
                    tmp.write(chunk)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    return path
