"""Password hashing (Argon2id); the password policy is in ``password_policy.py``.

Parameters: the OWASP Password Storage Cheat Sheet's minimum for Argon2id (19 MiB memory, 2
iterations, 1 lane) instead of the library's 64 MiB default, which took a worker from 13 to
78 MB per sign-in (docs/decisions.md). Hashes made with other parameters are upgraded at the
holder's next sign-in (:func:`needs_rehash`). Each worker computes at most ``HASH_SLOTS``
hashes at once; a sign-in that cannot get a slot within ``HASH_WAIT_SECONDS`` is refused with
:class:`HashingBusy` (the view answers 429 with Retry-After), so a burst of sign-ins cannot
exhaust a small server's memory.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from inspect_app.refusals import Busy

TIME_COST, MEMORY_KIB, PARALLELISM = 2, 19 * 1024, 1


def make_hasher() -> PasswordHasher:
    """The hasher with this module's parameters (tests swap in a cheaper one for speed)."""
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM,
                          hash_len=32, salt_len=16, type=Type.ID)


_hasher = make_hasher()
HASH_SLOTS = 2  # per worker process (sync workers use one; threaded workers share these)
HASH_WAIT_SECONDS = 5.0
RETRY_AFTER_SECONDS = 5
_slots = threading.BoundedSemaphore(HASH_SLOTS)


class HashingBusy(Busy):
    """Every hashing slot of this worker stayed busy for ``HASH_WAIT_SECONDS``."""

    retry_after = RETRY_AFTER_SECONDS


@contextmanager
def _slot():
    if not _slots.acquire(timeout=HASH_WAIT_SECONDS):
        raise HashingBusy("Too many people are signing in at once. Try again in a few seconds.")
    try:
        yield
    finally:
        _slots.release()

# A hash used to spend the same time on unknown emails as on real ones.
DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")  # same parameters: same time


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (waits for a hashing slot; may raise :class:`HashingBusy`)."""
    with _slot():
        return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches (waits for a hashing slot; may raise :class:`HashingBusy`)."""
    with _slot():
        try:
            return _hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (then re-hash at sign-in)."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True
