"""Structured request logs: one JSON line per request, tied together by a request id.

The id comes from the ``X-Request-ID`` header when a proxy (or the offline queue) sends a
sane one, otherwise it is generated; it is echoed on the response and added to every log
record written while the request runs, so an error line can be matched to its request.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.helpers import get_debug_flag
from flask.logging import default_handler, wsgi_errors_stream
from sqlalchemy import inspect as sa_inspect

ACCESS_LOGGER = "inspect_app.access"
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object; ``extra=`` fields become keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


JsonFormatter.converter = time.gmtime  # timestamps in UTC, like the rest of the app


class RequestIdFilter(logging.Filter):
    """Stamp records made during a request with its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = g.get("request_id")
        return True


def _request_id() -> str:
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    return supplied if _SANE_ID.fullmatch(supplied) else uuid.uuid4().hex


def _start_request() -> None:
    g.request_id = _request_id()
    g.request_started = time.perf_counter()


def _user_id(user) -> int | None:
    """The signed-in account's id without loading it again: the request's commit has expired the
    account's attributes, and reading ``user.id`` cost a SELECT on every request."""
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is not None and state.identity:
        return state.identity[0]
    return getattr(user, "id", None)  # an anonymous user: None


def _log_request(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id") or _request_id()
    started = g.get("request_started")
    user = g.get("_login_user")  # Flask-Login's cache: read it, never trigger a load just to log
    logging.getLogger(ACCESS_LOGGER).info("request", extra={
        "request_id": response.headers[REQUEST_ID_HEADER],
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "bytes": response.content_length,
        "user_id": _user_id(user),
        "remote_addr": request.remote_addr,
    })
    return response


def _configure_loggers(app: Flask) -> None:
    formatter = JsonFormatter()
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(getattr(h, "_wsi_json", False) for h in access.handlers):
        handler = logging.StreamHandler(wsgi_errors_stream)  # gunicorn's error log, or stderr
        handler._wsi_json = True
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    default_handler.setFormatter(formatter)
    if not any(isinstance(f, RequestIdFilter) for f in default_handler.filters):
        default_handler.addFilter(RequestIdFilter())
    if not app.debug:
        app.logger.setLevel(logging.INFO)


def register_logging(app: Flask) -> None:
    """JSON logs with request ids; refuse the interactive debugger outside development.

    ``flask --debug`` sets FLASK_DEBUG before the app is built, so checking here stops the
    Werkzeug debugger (which would serve tracebacks and a console) from ever wrapping a
    production or testing app.
    """
    if (app.debug or get_debug_flag()) and not app.config.get("DEBUG_ALLOWED"):
        raise RuntimeError("Debug mode is only allowed with APP_ENV=development; unset FLASK_DEBUG.")
    _configure_loggers(app)
    app.before_request(_start_request)
    app.after_request(_log_request)
