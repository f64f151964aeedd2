"""The one place the application reads the wall clock.

Timestamps are stored as naive UTC on both SQLite and PostgreSQL (see docs/decisions.md),
so every layer compares like with like. Domain functions never call this: they take ``now=``.
"""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time as a naive UTC datetime."""
    return datetime.now(UTC).replace(tzinfo=None)
