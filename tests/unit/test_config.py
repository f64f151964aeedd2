"""Configuration refuses unsafe production settings."""
from __future__ import annotations

import pytest

from config import ProductionConfig, _database_url
from inspect_app import create_app


@pytest.mark.parametrize("key", ["", "dev-insecure-key", "short-key"])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    class Prod(ProductionConfig):
        SECRET_KEY = key
        BACKUP_KEY = "b" * 48

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Prod)


@pytest.mark.parametrize("key", ["", "short-key", "x" * 48])  # the last one is the SECRET_KEY
def test_production_refuses_to_start_without_a_separate_backup_key(key):
    class Prod(ProductionConfig):
        SECRET_KEY = "x" * 48
        BACKUP_KEY = key

    with pytest.raises(RuntimeError, match="BACKUP_KEY"):
        create_app(Prod)


def test_production_starts_with_a_long_secret_key():
    class Prod(ProductionConfig):
        SECRET_KEY = "x" * 48
        BACKUP_KEY = "b" * 48

    app = create_app(Prod)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug


@pytest.mark.parametrize("raw, expected", [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
])
def test_database_url_always_names_psycopg3(monkeypatch, raw, expected):
    monkeypatch.setenv("DATABASE_URL", raw)
    assert _database_url() == expected


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert _database_url().startswith("sqlite:///") and _database_url().endswith("inspect.db")
