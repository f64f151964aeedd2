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
    # No ping per request: a connection idle over DB_PING_AFTER_IDLE seconds is pinged when next
    # taken from the pool (inspect_app/db_setup.py; 0 = every time); none is older than 30 minutes.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
    DB_PING_AFTER_IDLE = float(os.environ.get("DB_PING_AFTER_IDLE", "10"))
    INSTANCE_DIR = INSTANCE_DIR
    PHOTO_ROOT = os.environ.get("PHOTO_ROOT", str(INSTANCE_DIR / "photos"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_MB", "15")) * 1024 * 1024
    # Photo and report-file storage: "local" (PHOTO_ROOT) or "s3" (S3-compatible object storage;
    # credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as boto3 reads them).
    PHOTO_STORAGE = os.environ.get("PHOTO_STORAGE", "local").strip().lower()
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_PREFIX = os.environ.get("S3_PREFIX", "")
    # Single sign-on (OpenID Connect); off unless OIDC_ISSUER and OIDC_CLIENT_ID are set.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
    OIDC_LABEL = os.environ.get("OIDC_LABEL", "Sign in with your trust account")
    OIDC_ROLE_MAP = os.environ.get("OIDC_ROLE_MAP", "")  # JSON file: group/app-role claims -> role, wards
    OIDC_PROVISION = os.environ.get("OIDC_PROVISION", "none").strip().lower()  # none | inactive
    LOCAL_PASSWORDS = _bool("LOCAL_PASSWORDS", True)
    BREAK_GLASS_EMAILS = os.environ.get("BREAK_GLASS_EMAILS", "")  # comma-separated; password sign-in when off
    # A report build quicker than this is sent straight back; a slower one gets a progress page.
    REPORT_INLINE_SECONDS = float(os.environ.get("REPORT_INLINE_SECONDS", "1.0"))
    # Shared state for several app servers: rate-limit counts and report-build jobs.
    REDIS_URL = os.environ.get("REDIS_URL", "").strip()

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # How long a sign-in lasts at most (checked on the server); with "keep me signed in on this
    # device" ticked it also survives closing the browser for that long (off by default: shared devices).
    SESSION_HOURS = int(os.environ.get("SESSION_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = SESSION_HOURS * 3600
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session; the offline queue fetches a fresh one anyway

    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    # Redis when configured; otherwise a SQLite file on this machine, so that every gunicorn
    # worker of `make serve` counts against the same limit (docs/decisions.md).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or \
        f"wsi-sqlite://{INSTANCE_DIR / 'ratelimit.sqlite3'}"
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # If Redis is unreachable, count in this worker's memory until it is back (logged), rather
    # than refusing every sign-in with an error.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
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
    # Signs every backup's manifest and must verify it at restore; keep it apart from the backups
    # (a key inside a backup would let whoever edits the backup re-sign it). Required in production.
    BACKUP_KEY = os.environ.get("BACKUP_KEY", "")

    DEBUG = False
    IS_PRODUCTION = False  # the admin page warns about settings production needs (BASE_URL)
    DEBUG_ALLOWED = False  # only development may run the interactive debugger
    TESTING = False


class DevelopmentConfig(Config):
    """Local development: plain HTTP on loopback, so the session cookie cannot be Secure."""

    DEBUG = _bool("FLASK_DEBUG", False)
    DEBUG_ALLOWED = True
    SESSION_COOKIE_SECURE = False
    BACKUP_KEY = os.environ.get("BACKUP_KEY", "development-backup-key-not-for-production")
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    """Tests: the fixtures set SQLALCHEMY_DATABASE_URI and PHOTO_ROOT per run."""

    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    BACKUP_KEY = "testing-backup-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PHOTO_STORAGE = "local"
    REDIS_URL = ""
    OIDC_ISSUER = ""
    OIDC_CLIENT_ID = ""
    LOCAL_PASSWORDS = True
    LOGIN_LOCK_MINUTES = 15


class ProductionConfig(Config):
    """Production: refuses to start without a real SECRET_KEY and BACKUP_KEY (checked in ``create_app``)."""

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
