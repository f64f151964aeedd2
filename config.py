"""Configuration classes, read from the environment.

``create_app`` takes one of these classes; ``wsgi.py`` picks it from ``APP_ENV``
(development, production or testing).
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))

INSECURE_KEYS = {"", "dev", "change-me", "dev-insecure-key"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url.startswith("postgres://"):  # Heroku-style URLs: SQLAlchemy needs the full dialect name
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url or f"sqlite:///{INSTANCE_DIR / 'inspect.db'}"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-key")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    INSTANCE_DIR = INSTANCE_DIR
    PHOTO_ROOT = os.environ.get("PHOTO_ROOT", str(INSTANCE_DIR / "photos"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_MB", "15")) * 1024 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_HOURS", "12")) * 3600
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session; the offline queue fetches a fresh one anyway

    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Believe X-Forwarded-Proto/-For/-Host only when a reverse proxy in front sets them.
    PROXY_FIX = _bool("PROXY_FIX", False)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "ward-safety-inspect@localhost")
    # Absolute links in QR labels and email; unset: the address each request came in on (public_url.py).
    BASE_URL = os.environ.get("BASE_URL", "").strip()

    DEBUG = False
    IS_PRODUCTION = False  # the admin page warns about settings production needs (BASE_URL)
    DEBUG_ALLOWED = False  # only development may run the interactive debugger
    TESTING = False


class DevelopmentConfig(Config):
    """Local development: plain HTTP on loopback, so the session cookie cannot be Secure."""

    DEBUG = _bool("FLASK_DEBUG", False)
    DEBUG_ALLOWED = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    """Tests: the fixtures set SQLALCHEMY_DATABASE_URI and PHOTO_ROOT per run."""

    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    LOGIN_LOCK_MINUTES = 15


class ProductionConfig(Config):
    """Production: refuses to start without a real SECRET_KEY (checked in ``create_app``)."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = "https"
    IS_PRODUCTION = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by ``APP_ENV`` (default: development)."""
    name = os.environ.get("APP_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}; got {name!r}")
    return CONFIGS[name]
