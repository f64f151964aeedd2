"""Unbound Flask extensions; ``create_app`` binds them to an app."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from inspect_app import limit_store  # noqa: F401 - registers the wsi-sqlite:// limit store

# Named constraints so Alembic batch mode on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


_GENERIC = "SET LOCAL plan_cache_mode = force_generic_plan"
_AUTO = "SET LOCAL plan_cache_mode = DEFAULT"


@contextmanager
def generic_plans() -> Iterator[None]:
    """Statements run inside are planned once per connection on PostgreSQL (a generic plan), not
    for every execution. For a statement whose conditions compare timestamps with bound values,
    PostgreSQL's estimate of a custom plan is so much lower than the generic plan's that it plans
    it afresh every time: 1.3-1.7 ms of planning for 0.15 ms of work (the attention counts on a
    ward of 6,000 open actions). Two ``SET LOCAL`` round trips; nothing on SQLite. (A failure inside
    leaves the setting: the transaction is rolled back, which undoes it.)"""
    connection = db.session.connection()  # the session's, so the settings share its transaction
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql(_GENERIC)
    yield
    if postgres:
        connection.exec_driver_sql(_AUTO)
