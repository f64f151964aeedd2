"""What kind of "no" a service refusal is, so every path answers it with the same HTTP status.

Services raise their own error classes (``FindingError``, ``InspectionError``...); a refusal
that is about the record's *state* (signed off, closed, superseded) also inherits
:class:`Conflict`, one about *who* is asking inherits :class:`Forbidden`. Views and the sync API
read :func:`status_of` instead of each choosing a code, so a form and an API operation refused
by the same rule get the same status (409/403), and anything else is bad input (422).
"""
from __future__ import annotations


class Conflict(Exception):
    """The record's state forbids the change (signed off, closed, superseded): 409."""

    status = 409


class Forbidden(Exception):
    """This person may not make the change (not the lead, not their ward): 403."""

    status = 403


class Busy(RuntimeError):
    """A shared resource of this worker stayed busy (every password-hashing slot taken): nothing was
    saved; ``errors.py`` answers 429 with ``Retry-After: retry_after`` seconds on every path."""

    retry_after = 5


def status_of(exc: BaseException, default: int = 422) -> int:
    """The HTTP status for a service refusal: 409, 403, or ``default`` for invalid input."""
    return getattr(exc, "status", default)
