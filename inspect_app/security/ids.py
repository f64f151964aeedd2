"""Integer URL parts bounded to what the database can hold.

Flask's ``<int:...>`` accepts any number of digits; an id beyond the 32-bit INTEGER range
then fails inside the database driver (a 500 on SQLite and PostgreSQL alike). Bounding the
converter turns such URLs into an ordinary 404 for every route at once.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the type of every primary key here


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)
