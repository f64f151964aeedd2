"""GET /healthz reports the database, the photo store and (when configured) Redis."""
from __future__ import annotations

from config import TestingConfig
from inspect_app import create_app


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "storage": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_503_when_database_unreachable(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody:x@127.0.0.1:1/none",
                     SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}}, PHOTO_ROOT=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"].startswith("unreachable") and body["storage"] == "ok"


def test_healthz_503_names_each_unreachable_service(extra_app):
    """Object storage and Redis on ports where nothing listens: both named, the database still ok."""
    down = extra_app(PHOTO_STORAGE="s3", S3_ENDPOINT_URL="http://127.0.0.1:1", S3_BUCKET="photos",
                     S3_TIMEOUT_SECONDS=1, REDIS_URL="redis://127.0.0.1:1/0")
    body = down.test_client().get("/healthz")
    assert body.status_code == 503
    data = body.get_json()
    assert data["database"] == "ok"
    assert data["storage"].startswith("unreachable") and data["redis"].startswith("unreachable")
