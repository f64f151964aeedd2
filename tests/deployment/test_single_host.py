"""`make serve` without Redis: two gunicorn workers on one machine still share one sign-in count."""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import pytest
import requests

from tests.deployment.test_cluster import token

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from cluster import AppServer, flask  # noqa: E402

pytestmark = pytest.mark.deployment


def test_two_workers_without_redis_hit_the_per_address_limit_at_the_promised_count(tmp_path):
    env = {"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "SESSION_COOKIE_SECURE": "0",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "INSTANCE_PATH": str(tmp_path), "REDIS_URL": "",
           "PHOTO_STORAGE": "local", "RATELIMIT_STORAGE_URI": ""}
    flask(env, "db", "upgrade", "heads")
    server = AppServer(tmp_path, env, workers=2)
    server.env["INSTANCE_PATH"] = str(tmp_path)  # the limit file lives in the shared instance folder
    try:
        server.start()
        statuses = []
        for n in range(31):
            session = requests.Session()  # a new connection each time, so both workers take turns
            csrf = token(session, f"{server.base}/login")
            statuses.append(session.post(f"{server.base}/login", data={
                "email": f"nobody{n}@demo.nhs.test", "password": "wrong-password-123", "csrf_token": csrf}).status_code)
    finally:
        server.stop()
        server.remove()
    assert statuses == [401] * 30 + [429], statuses
    assert (tmp_path / "ratelimit.sqlite3").exists()
