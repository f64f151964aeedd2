"""The one place that ends a transaction: services flush, this module commits or rolls back.

A request (``install``): after the view has answered, a response below 400 commits everything the
request flushed; an answer of 400 or more, or an exception (its error page is such an answer),
rolls it all back. A commit that fails never leaves a success page for unsaved work: the answer
becomes a 409 (a clash with something already saved) or a 500, with the flashed "saved" messages
withdrawn. A transaction that only read ends with COMMIT either way, as a rollback would make
psycopg discard its prepared statements (``db_setup`` notes which connections wrote).

Views use three small words instead of committing by hand:

- :func:`refuse` when a service said no and the view answers with a page or a redirect (a 302 would
  otherwise commit): it rolls back at once, so nothing the service flushed is kept and the page
  that follows shows what is stored, and flashes the reason;
- :func:`keep` when a refusal must still record something (a failed sign-in counts towards the
  lock-out; an account provisioned switched off);
- :func:`checkpoint` when something outside the database must only happen after a commit (a session
  ended on the server before its cookie is cleared; an email marked sent as it goes).

The sync API applies each operation in a :func:`savepoint`; CLI commands are wrapped by
:func:`command` (commit on success, roll back and exit 1 with the message on a refusal).
"""
from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask import Flask, Response, current_app, flash, g, request, session
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from inspect_app.extensions import db

ErrorPage = Callable[[int, str], object]
_KEEP = "_transaction_keep"
_REFUSED = "_transaction_refused"
CLASH = ("This clashes with something saved at the same moment, so nothing from that request was saved. "
         "Reload the page and try again.")
FAILED = "Something went wrong while saving, so nothing from that request was saved. Please try again."


class CommitFailed(Exception):
    """The database refused the commit; nothing was saved (``status`` 409 for a clash, else 500)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _only_read() -> bool:
    """Whether the session's transaction sent nothing but SELECTs and holds nothing pending."""
    sess = db.session()
    if sess.new or sess.dirty or sess.deleted:
        return False
    return not sess.connection().info.get("wrote")


def rollback() -> None:
    """Undo everything not yet committed (the rollback every other module goes through)."""
    db.session.rollback()


def commit() -> None:
    """Commit now; a failure rolls back and raises :class:`CommitFailed` (nothing was saved).

    :raises CommitFailed: the database refused (409 on an integrity clash, 500 otherwise).
    """
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise CommitFailed(409, CLASH) from exc
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise CommitFailed(500, FAILED) from exc


def _end_quietly() -> None:
    """End a transaction that is not to be kept: COMMIT if it only read, else ROLLBACK."""
    if not db.session.registry.has() or not db.session().in_transaction():
        return
    sess = db.session()
    try:
        if _only_read():
            expire, sess.expire_on_commit = sess.expire_on_commit, False  # nothing read needs reloading
            try:
                sess.commit()
            finally:
                sess.expire_on_commit = expire
            return
    except SQLAlchemyError:
        pass
    sess.rollback()


def refuse(message: str | None = None, category: str = "error") -> None:
    """A service refused: undo what this request flushed now, and flash ``message`` if given.

    The view then answers as it likes (a redirect, its page with the error); nothing it flushed
    before the refusal is committed, and the page shows what is stored.
    """
    db.session.rollback()
    g.setdefault(_REFUSED, True)
    if message:
        flash(message, category)


def keep() -> None:
    """Commit this request's writes even though its answer is a refusal (4xx)."""
    g.setdefault(_KEEP, True)


def checkpoint() -> None:
    """Commit what is flushed so far, before a step outside the database that must follow it.

    :raises CommitFailed: nothing was saved.
    """
    commit()


def _end_request(response: Response, error_page: ErrorPage) -> Response:
    """After the view: commit a success, roll back a refusal (status 400 or more)."""
    keep_writes = g.get(_KEEP) or (response.status_code < 400 and not g.get(_REFUSED))
    if not keep_writes:
        _end_quietly()
        return response
    try:
        commit()
    except CommitFailed as exc:
        current_app.logger.warning("Commit failed on %s %s: %r", request.method, request.path, exc.__cause__)
        session.pop("_flashes", None)  # a "saved" message must not show on the next page
        return current_app.make_response(error_page(exc.status, str(exc)))
    return response


def _end_app_context(exc: BaseException | None) -> None:
    # Whatever is left when the context ends (reads after the commit, a shell, a job): a
    # transaction that only read commits; anything else rolls back.
    if exc is None:
        _end_quietly()


def install(app: Flask, error_page: ErrorPage) -> None:
    """Register the request boundary; call it last in ``create_app`` so it runs first of the
    app's ``after_request`` functions (their headers and request log then see its answer).

    :param error_page: ``(status, message) -> response`` for a commit that failed (HTML or JSON).
    """
    app.after_request(functools.partial(_end_request, error_page=error_page))
    app.teardown_appcontext(_end_app_context)


# --- Savepoints (the sync API: one operation, with its receipt, all or nothing) ---------------

def _open_sqlite_transaction() -> None:
    """pysqlite opens a transaction only before INSERT/UPDATE/DELETE, so a SAVEPOINT sent first
    would itself become the transaction and its RELEASE would commit to disk. Open the real
    transaction first, as SQLAlchemy's pysqlite notes advise; IMMEDIATE takes the write lock now
    (waiting up to the busy timeout) rather than failing later on a stale read snapshot."""
    connection = db.session.connection()
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def savepoint() -> Iterator[None]:
    """Everything flushed inside the block is kept or undone together; work flushed before it is
    untouched either way. An exception rolls back to the savepoint and propagates."""
    _open_sqlite_transaction()
    with db.session.begin_nested():
        yield


# --- CLI commands ------------------------------------------------------------------------------

def command(*refusals: type[BaseException]) -> Callable:
    """Run a CLI command in one transaction: commit when it returns, then echo what it returned
    (a line or a list of lines, said only once saved); on one of ``refusals`` (or a
    ``click.ClickException``) roll back and exit 1 with the message. Put it under the click
    decorators, next to the function."""
    def wrap(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(*args, **kwargs):
            try:
                said = func(*args, **kwargs)
            except click.ClickException:
                rollback()
                raise
            except (*refusals, CommitFailed) as exc:  # CommitFailed: a checkpoint inside the command
                rollback()
                raise click.ClickException(str(exc)) from None
            except BaseException:
                rollback()
                raise
            try:
                commit()
            except CommitFailed as exc:
                raise click.ClickException(f"{exc} ({type(exc.__cause__).__name__})") from None
            for line in [said] if isinstance(said, str) else said or ():
                click.echo(line)

        return run

    return wrap
