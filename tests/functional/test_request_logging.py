"""Structured request logs with request ids; no debugger outside development."""
from __future__ import annotations

import json
import logging

import pytest

from config import DevelopmentConfig, ProductionConfig, TestingConfig
from inspect_app import create_app
from inspect_app.ops.logging import ACCESS_LOGGER, JsonFormatter


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[dict] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def access_log():
    handler = Collect()
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_each_request_logs_one_json_line_with_its_request_id(client, access_log):
    response = client.get("/healthz")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [entry for entry in access_log if entry["path"] == "/healthz"]
    assert line["request_id"] == request_id and line["status"] == 200 and line["method"] == "GET"
    assert line["duration_ms"] >= 0 and line["level"] == "INFO" and line["ts"].endswith("Z")


def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(client, access_log):
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-1234.abcd"})
    assert kept.headers["X-Request-ID"] == "proxy-1234.abcd"
    for hostile in ('x" injected} {"admin": true', "a" * 200, "<script>"):
        replaced = client.get("/healthz", headers={"X-Request-ID": hostile})
        assert replaced.headers["X-Request-ID"] != hostile and len(replaced.headers["X-Request-ID"]) == 32
    assert {e["request_id"] for e in access_log} >= {"proxy-1234.abcd", replaced.headers["X-Request-ID"]}


def test_signed_in_requests_log_the_user_id(demo, auth, access_log):
    auth.login("admin@demo.nhs.test")
    auth.client.get("/")
    home = [e for e in access_log if e["path"] == "/"][-1]
    assert home["user_id"] == demo["users"]["admin"]


@pytest.mark.parametrize("config", [TestingConfig, ProductionConfig])
def test_debug_mode_is_refused_outside_development(monkeypatch, tmp_path, config):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="only allowed with APP_ENV=development"):
        create_app(config, SECRET_KEY="k" * 40, BACKUP_KEY="b" * 40, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}")


def test_development_may_debug(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}")
    assert app.config["DEBUG_ALLOWED"]
