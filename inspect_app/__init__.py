"""Ward Safety Inspect: ligature-point inspection and remediation for mental-health wards."""
from __future__ import annotations

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
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    register_templates(app)
    return app


def _check_config(app: Flask, config_class: type[Config]) -> None:
    if issubclass(config_class, ProductionConfig):
        key = app.config.get("SECRET_KEY") or ""
        if key in INSECURE_KEYS or len(key) < 32:
            raise RuntimeError(
                "Refusing to start in production without a real SECRET_KEY "
                "(set SECRET_KEY to at least 32 random characters)."
            )


def register_extensions(app: Flask) -> None:
    from inspect_app import db_setup
    from inspect_app.extensions import csrf, db, limiter, login_manager, migrate

    import inspect_app.models  # noqa: F401 - registers every table on the metadata

    db.init_app(app)
    db_setup.install_sqlite_pragmas()
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    from inspect_app.auth import login

    login.init_login(app, login_manager)


def register_blueprints(app: Flask) -> None:
    from inspect_app.auth.admin_views import bp as admin_users_bp
    from inspect_app.auth.views import bp as auth_bp
    from inspect_app.checklists.views import bp as checklists_bp
    from inspect_app.estates.views import bp as estates_bp
    from inspect_app.home.views import bp as home_bp

    for bp in (home_bp, auth_bp, admin_users_bp, estates_bp, checklists_bp):
        app.register_blueprint(bp)


def register_errors(app: Flask) -> None:
    from inspect_app import errors

    errors.register(app)


def register_cli(app: Flask) -> None:
    from inspect_app.auth.cli import create_user_command
    from inspect_app.checklists.cli import checklists_cli
    from inspect_app.demo.cli import seed_demo_command

    app.cli.add_command(create_user_command)
    app.cli.add_command(checklists_cli)
    app.cli.add_command(seed_demo_command)


def register_templates(app: Flask) -> None:
    from inspect_app import template_helpers

    template_helpers.register(app)
