"""Signing a backup's manifest: an HMAC-SHA256 under BACKUP_KEY, a key kept out of the backup.

The manifest lists the SHA-256 of every file, so its signature covers the whole backup: someone
who edits the database copy and its checksum together (to rewrite audit rows, say) cannot make a
signature that verifies without the key. This layer knows nothing of where a backup is stored, so
it applies to a backup on local disk and in object storage alike.
"""
from __future__ import annotations

import hashlib
import hmac
import json

SIGNATURE = "signature"
ALGORITHM = "hmac-sha256"


class SignatureError(ValueError):
    """The manifest is unsigned, signed with another key, or changed since it was signed."""


def _canonical(manifest: dict) -> bytes:
    body = {k: v for k, v in manifest.items() if k != SIGNATURE}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _key_bytes(key: str | bytes) -> bytes:
    if not key:
        raise SignatureError("No BACKUP_KEY is set: backups are signed and checked with it. Set BACKUP_KEY "
                             "(kept apart from the backups) and try again.")
    return key.encode("utf-8") if isinstance(key, str) else key


def key_id(key: str | bytes) -> str:
    """A short fingerprint of the key, so an operator can tell which key a backup needs."""
    return hashlib.sha256(b"wsi-backup-key-id:" + _key_bytes(key)).hexdigest()[:12]


def sign(manifest: dict, key: str | bytes) -> dict:
    """The manifest with its signature added (over everything else in it)."""
    raw = _key_bytes(key)
    signed = {k: v for k, v in manifest.items() if k != SIGNATURE}
    signed["key_id"] = key_id(raw)
    signed[SIGNATURE] = {"algorithm": ALGORITHM,
                         "value": hmac.new(raw, _canonical(signed), hashlib.sha256).hexdigest()}
    return signed


def check(manifest: dict, key: str | bytes) -> None:
    """Raise :class:`SignatureError` unless ``manifest`` carries a valid signature under ``key``."""
    raw = _key_bytes(key)
    signature = manifest.get(SIGNATURE)
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        raise SignatureError("the manifest is not signed (made before backups were signed, or the "
                             "signature was removed)")
    expected = hmac.new(raw, _canonical(manifest), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(str(signature.get("value", "")), expected):
        if manifest.get("key_id") not in (None, key_id(raw)):
            raise SignatureError(f"the manifest was signed with another BACKUP_KEY (key {manifest.get('key_id')}, "
                                 f"this app has {key_id(raw)})")
        raise SignatureError("the manifest's signature does not match: the manifest or a checksum in it "
                             "was changed after the backup was made")

