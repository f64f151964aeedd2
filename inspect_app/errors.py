"""Error pages: JSON under /api/, HTML elsewhere. A 500 rolls the session back."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from inspect_app import transaction
from inspect_app.refusals import Busy
from inspect_app.stores.storage import StorageUnavailable

MESSAGES = {
    400: "The request could not be understood. Check what you entered and try again.",
    401: "Please sign in.",
    403: "You do not have permission to see this page.",
    404: "We could not find that page. It may have moved, or you may not have access to it.",
    405: "That action is not allowed here.",
    409: "Someone else changed this at the same time. Reload and try again.",
    413: "That upload is too large.",
    415: "That type of file is not accepted.",
    422: "Some of what you entered could not be accepted.",
    429: "Too many requests. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing from that request was saved; please try again.",
    503: "The service is unavailable at the moment. Please try again shortly.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html)


def error_response(status: int, message: str | None = None, **extra):
    message = message or MESSAGES.get(status, "Something went wrong.")
    if wants_json():
        return jsonify(error=status, message=message, **extra), status
    return render_template("errors/error.html", status=status, message=message), status


def register_unavailable(app: Flask, exception: type[Exception], what: str, message: str) -> None:
    """A 503 with ``message`` when a shared service raises ``exception`` (the app factory adds Redis's
    errors only when Redis is configured, so a worker without it never imports the client).

    Nothing from the request is kept (a photo is written before its row, so a failed write leaves
    at most an orphan file); the person is told to try again."""
    def unavailable(exc: Exception):
        transaction.rollback()
        app.logger.warning("%s unavailable on %s %s: %s", what, request.method, request.path, exc)
        return error_response(503, message)

    app.register_error_handler(exception, unavailable)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "Your form expired or was sent from elsewhere (CSRF check failed). "
                                   "Reload the page and try again.", reason=exc.description)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = MESSAGES.get(status)
        if status in {400, 409, 413, 415, 422} and exc.description and exc.description != type(exc).description:
            message = exc.description  # a specific message raised with abort(400, "...")
        return error_response(status, message)

    register_unavailable(app, StorageUnavailable, "Storage", "Photo storage cannot be reached at the moment, so "
                         "nothing from that request was saved. Try again in a minute; the photo is still on your device.")

    @app.errorhandler(Busy)
    def busy(exc: Busy):
        # Sign-in, password change or account creation found every hashing slot busy: nothing
        # was saved, and the client is told when to try again.
        transaction.rollback()
        response, status = error_response(429, str(exc))
        response = app.make_response((response, status))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(transaction.CommitFailed)
    def commit_failed(exc: transaction.CommitFailed):
        # a checkpoint (commit before a step outside the database) failed: nothing was saved
        app.logger.warning("Commit failed on %s %s: %r", request.method, request.path, exc.__cause__)
        return error_response(exc.status, str(exc))

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        transaction.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500)
