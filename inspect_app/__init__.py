"""Ward Safety Inspect: ligature-point inspection and remediation for mental-health wards."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import INSECURE_KEYS, Config, ProductionConfig, config_from_env


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Build the application. No database work happens here.

    :param config_class: one of the classes in ``config.py``; ``APP_ENV`` picks it when None.
    :param overrides: extra config values (tests use these for per-run paths).
    """
    config_class = config_class or config_from_env()
    app = Flask(__name__, instance_path=str(config_class.INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(config_class)
    app.config.update(overrides)
    _check_config(app, config_class)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_logging(app)
    register_security(app)  # before the blueprints: it sets the URL converters their rules use
    register_blueprints(app)
    register_reactions()
    register_errors(app)
    register_cli(app)
    register_templates(app)
    from inspect_app import assets

    assets.register(app)
    register_transaction(app)  # last: its after_request then runs first
    return app


def _check_config(app: Flask, config_class: type[Config]) -> None:
    from inspect_app import stores

    stores.validate(app)
    if issubclass(config_class, ProductionConfig):
        key = app.config.get("SECRET_KEY") or ""
        if key in INSECURE_KEYS or len(key) < 32:
            raise RuntimeError(
                "Refusing to start in production without a real SECRET_KEY "
                "(set SECRET_KEY to at least 32 random characters)."
            )
        backup_key = app.config.get("BACKUP_KEY") or ""
        if len(backup_key) < 32 or backup_key in INSECURE_KEYS or backup_key == key:
            raise RuntimeError(
                "Refusing to start in production without a BACKUP_KEY: at least 32 random characters, "
                "not the SECRET_KEY, kept apart from the backups it signs."
            )


def register_extensions(app: Flask) -> None:
    import inspect_app.models  # noqa: F401 - registers every table on the metadata
    from inspect_app import db_setup
    from inspect_app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    db_setup.install_sqlite_pragmas()
    db_setup.install_idle_ping(app.config["DB_PING_AFTER_IDLE"])
    db_setup.note_writes()
    from inspect_app.actions import tallies

    tallies.install()  # the dashboard's maintained counts move with every flush of an action
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    from inspect_app.auth import login

    login.init_login(app, login_manager)
    register_optional(app)


def register_optional(app: Flask) -> None:
    """Import the optional components only when their settings are present.

    Authlib (OIDC) and the Redis client are each several MB in every worker (17 and 7 MB
    measured, docs/decisions.md); a trust without single sign-on or Redis never loads them.
    The Redis client is made here (``stores.redis_client`` hands it out); the S3 client (boto3)
    is built by ``stores`` when ``PHOTO_STORAGE=s3``.
    """
    from inspect_app.auth import oidc

    if oidc.enabled(app):
        from inspect_app.auth import oidc_client

        oidc_client.init_oidc(app)
    if app.config.get("REDIS_URL") or str(app.config.get("RATELIMIT_STORAGE_URI") or "").startswith("redis"):
        import redis

        from inspect_app import errors, stores

        errors.register_unavailable(app, redis.RedisError, "Redis", "A shared service is unavailable at the moment, "
                                    "so nothing from that request was saved. Try again in a minute.")
        if app.config.get("REDIS_URL"):
            app.extensions[stores.REDIS] = redis.Redis.from_url(
                app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)


def _feature_modules(suffix: str):
    """Modules named ``views``/``*_views`` (or ``cli``) in each feature package, in a stable order.

    Features register themselves by where they live, so adding a feature does not mean editing
    a central list that every feature touches.
    """
    import importlib
    import pkgutil

    import inspect_app

    for package in sorted(pkgutil.iter_modules(inspect_app.__path__), key=lambda m: m.name):
        if not package.ispkg:
            continue
        pkg = importlib.import_module(f"inspect_app.{package.name}")
        for module in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if module.name == suffix or module.name.endswith(f"_{suffix}"):
                yield importlib.import_module(f"inspect_app.{package.name}.{module.name}")


def register_blueprints(app: Flask) -> None:
    for module in _feature_modules("views"):
        bp = getattr(module, "bp", None)
        if bp is not None:
            app.register_blueprint(bp)


def register_reactions() -> list[str]:
    """Connect each feature's ``reactions`` module to the events it listens for (``inspect_app.events``).

    Importing a module connects its receivers, once per process whatever the number of apps.
    """
    return [module.__name__ for module in _feature_modules("reactions")]


def register_errors(app: Flask) -> None:
    from inspect_app import errors

    errors.register(app)


def register_cli(app: Flask) -> None:
    for module in _feature_modules("cli"):
        for command in getattr(module, "COMMANDS", ()):
            app.cli.add_command(command)


def register_transaction(app: Flask) -> None:
    """One transaction per request: commit after a success, roll back after a refusal or error."""
    from inspect_app import errors, transaction

    transaction.install(app, errors.error_response)


def register_logging(app: Flask) -> None:
    from inspect_app.ops.logging import register_logging as register

    register(app)


def register_security(app: Flask) -> None:
    from inspect_app.security.headers import register_security as register

    register(app)


def register_templates(app: Flask) -> None:
    from inspect_app import template_helpers

    template_helpers.register(app)
