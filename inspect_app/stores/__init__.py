"""The shared stores an app server uses besides the database, built once per app from its config.

- ``photo_store()``: photo renditions (``PHOTO_STORAGE=local`` under ``PHOTO_ROOT``, or ``s3``).
- ``report_store()``: finished report PDFs of background builds (beside the photos: local
  ``<instance>/report-jobs`` or the same bucket under ``report-jobs/``).
- ``redis_client()``: ``REDIS_URL``'s client, or None when Redis is not configured.

With ``PHOTO_STORAGE=s3`` and ``REDIS_URL`` any number of app servers share everything; with
neither (``make run``, ``make serve``) the app needs nothing but its disk.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from inspect_app.stores.storage import LocalStorage, PhotoStorage

KINDS = ("local", "s3")


def _config_store(app: Flask, namespace: str) -> PhotoStorage:
    config = app.config
    kind = (config.get("PHOTO_STORAGE") or "local").strip().lower()
    if kind == "local":
        if namespace == "photos":
            return LocalStorage(config["PHOTO_ROOT"])
        return LocalStorage(config.get("REPORT_JOB_DIR") or Path(config["INSTANCE_DIR"]) / "report-jobs")
    if kind == "s3":
        from inspect_app.stores.s3 import S3Storage, make_client  # noqa: PLC0415 - boto3 only when S3 is configured

        if not config.get("S3_BUCKET"):
            raise RuntimeError("PHOTO_STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL unless the store is AWS).")
        client = app.extensions.get("wsi.s3_client")
        if client is None:
            client = app.extensions["wsi.s3_client"] = make_client(
                endpoint_url=config.get("S3_ENDPOINT_URL"), region=config.get("S3_REGION"),
                timeout=float(config.get("S3_TIMEOUT_SECONDS", 5)))
        prefix = (config.get("S3_PREFIX") or "") + ("photos/" if namespace == "photos" else "report-jobs/")
        return S3Storage(client, config["S3_BUCKET"], prefix)
    raise RuntimeError(f"PHOTO_STORAGE must be one of {', '.join(KINDS)}; got {kind!r}")


def _cached(name: str, build):
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = f"wsi.{name}"
    if key not in app.extensions:
        app.extensions[key] = build(app)
    return app.extensions[key]


def photo_store() -> PhotoStorage:
    """The configured photo storage."""
    return _cached("photo_store", lambda app: _config_store(app, "photos"))


def report_store() -> PhotoStorage:
    """Where background report builds leave their PDFs (shared by every app server with S3)."""
    return _cached("report_store", lambda app: _config_store(app, "reports"))


REDIS = "wsi.redis"  # app.extensions key of the client the app factory makes when REDIS_URL is set


def redis_client():
    """The Redis client for ``REDIS_URL`` (short timeouts), or None when Redis is not configured.

    The app factory makes it (``register_optional``), so an app without Redis never imports the
    client library (7 MB per worker; docs/decisions.md, "Optional components at boot")."""
    return current_app.extensions.get(REDIS)


def validate(app: Flask) -> None:
    """Fail at start-up, not at the first upload, when the storage settings are incomplete."""
    kind = (app.config.get("PHOTO_STORAGE") or "local").strip().lower()
    if kind not in KINDS:
        raise RuntimeError(f"PHOTO_STORAGE must be one of {', '.join(KINDS)}; got {kind!r}")
    if kind == "s3" and not app.config.get("S3_BUCKET"):
        raise RuntimeError("PHOTO_STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL unless the store is AWS).")
