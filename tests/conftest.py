"""Fixtures: a migrated database per run, a fresh app and database per test, factories, sign-in helpers.

SQLite: the schema is migrated once into a template file, and each test gets a copy of it.
PostgreSQL (``DATABASE_URL=postgresql+psycopg://...``): migrated once, and every table is
truncated after each test.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask_migrate import upgrade
from sqlalchemy import text

from config import TestingConfig
from inspect_app import create_app
from inspect_app.auth import passwords
from inspect_app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Each feature keeps its fixtures and factories in tests/fixtures/<feature>.py.
pytest_plugins = sorted(f"tests.fixtures.{p.stem}" for p in (ROOT / "tests" / "fixtures").glob("*.py")
                        if p.stem != "__init__")


def pytest_configure(config):
    # Argon2 at production cost would spend most of the suite hashing; the algorithm is the same.
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords.DUMMY_HASH = passwords._hasher.hash("not-a-real-password-for-timing")


def pytest_collection_modifyitems(config, items):
    """Deselected (not skipped), since .ci/run runs the suite once per database: tests marked
    postgres_only on SQLite (the PostgreSQL pass runs them), and tests marked deployment on
    PostgreSQL (they start their own PostgreSQL, so the SQLite pass already ran them unchanged)."""
    marker = "deployment" if ON_POSTGRES else "postgres_only"
    kept = [item for item in items if item.get_closest_marker(marker) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failure: CI must exercise everything."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, which is not allowed: {report.longrepr}"


def _make_app(url: str, tmp_path: Path, **extra):
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, PHOTO_ROOT=str(tmp_path / "photos"),
                      INSTANCE_DIR=tmp_path, **extra)


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory) -> str:
    """A database migrated to head once per run; returns the URL (SQLite: the template file)."""
    work = tmp_path_factory.mktemp("db")
    if ON_POSTGRES:
        url = DATABASE_URL
        app = _make_app(url, work)
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            upgrade(directory=str(ROOT / "migrations"), revision="heads")
            db.engine.dispose()
        return url
    url = f"sqlite:///{work / 'template.db'}"
    app = _make_app(url, work)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        db.engine.dispose()
    return url


def _truncate_all() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        # Fail loudly, never hang, if another connection of this test still holds a table.
        conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
def db_url(migrated_url, tmp_path) -> str:
    if ON_POSTGRES:
        return migrated_url
    template = Path(migrated_url.removeprefix("sqlite:///"))
    target = tmp_path / "test.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(db_url, tmp_path):
    app = _make_app(db_url, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        if ON_POSTGRES:
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An app context, for tests that call services or query models directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class Auth:
    """Sign-in helper for the Flask test client (CSRF stays on)."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/login") -> str:
        return csrf_from(self.client.get(path, follow_redirects=True).get_data(as_text=True))

    def login(self, email: str, password: str = "ward-demo-pass"):
        token = self.token("/login")
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = self.token("/")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, page: str = "/", **kwargs):
        data = dict(data or {})
        token = self.token(page)
        data.setdefault("csrf_token", token)
        for prefix in {key.split("-", 1)[0] for key in data if "-" in key}:  # prefixed forms
            data.setdefault(f"{prefix}-csrf_token", token)
        return self.client.post(path, data=data, **kwargs)

    def json(self, method: str, path: str, payload=None, **kwargs):
        headers = {"X-CSRFToken": self.token("/"), **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, json=payload, headers=headers, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def demo(ctx):
    """The demo trust, committed; returns a dict of useful ids."""
    from sqlalchemy import select

    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.demo.seed import seed_demo
    from inspect_app.estates.models import Ward

    seed_demo(now=utcnow())
    db.session.commit()
    users = {u.role: u.id for u in db.session.scalars(select(User))}
    wards = {w.name: w.id for w in db.session.scalars(select(Ward))}
    return {"users": users, "wards": wards}


@pytest.fixture
def make_user(ctx):
    """Factory: ``make_user(role="inspector", email=..., password=..., wards=[ids])``."""
    from inspect_app.auth import services
    from inspect_app.clock import utcnow

    counter = iter(range(1, 10_000))

    def make(role: str = "inspector", *, email: str | None = None, name: str | None = None,
             password: str = "a-long-test-password-42", wards: list[int] | None = None):
        n = next(counter)
        user = services.create_user(email=email or f"user{n}@example.test", name=name or f"Test User {n}",
                                    role=role, password=password, by=None, now=utcnow(), ward_ids=wards)
        db.session.commit()
        return user

    return make
