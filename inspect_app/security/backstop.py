"""Last line against hostile numbers: out-of-range values refused by the database become a 400.

Forms and API handlers validate their input, but an id typed as twenty digits can still reach
the driver (SQLite raises OverflowError, PostgreSQL a DataError such as "integer out of range").
That is the client's input, not a fault of the server, so it gets a clear 400 and a warning in
the log (naming the endpoint, so the missing validation can be added), never a 500.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from sqlalchemy.exc import DataError

from inspect_app import transaction
from inspect_app.errors import error_response

MESSAGE = "A value in your request is out of range or too long. Check the numbers and text and try again."


def out_of_range(exc: Exception):
    transaction.rollback()
    current_app.logger.warning("Out-of-range input refused on %s %s (%s): %s", request.method, request.path,
                               request.endpoint, type(exc).__name__)
    return error_response(400, MESSAGE)


def register_backstop(app: Flask) -> None:
    app.register_error_handler(OverflowError, out_of_range)
    app.register_error_handler(DataError, out_of_range)
