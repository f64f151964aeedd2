"""A pooled connection is pinged only after sitting idle, and a dead one is replaced, not used."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from inspect_app import db_setup


def _engine(tmp_path):
    db_setup.install_idle_ping(10)
    return create_engine(f"sqlite:///{tmp_path / 'ping.db'}", pool_size=1, max_overflow=0)


def test_a_connection_back_a_moment_ago_is_not_pinged(tmp_path):
    engine = _engine(tmp_path)
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
    seen: list[str] = []
    raw.set_trace_callback(seen.append)
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is raw
        assert conn.scalar(text("SELECT 2")) == 2
    assert "SELECT 1" not in seen  # no round trip before the request's own statement
    engine.dispose()


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(tmp_path):
    engine = _engine(tmp_path)
    with engine.connect() as conn:
        info, raw = conn.connection.info, conn.connection.dbapi_connection
    seen: list[str] = []
    raw.set_trace_callback(seen.append)
    info["wsi_idle_since"] -= 60  # idle for a minute: pinged, still alive, reused
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is raw
        assert conn.scalar(text("SELECT 2")) == 2
    assert "SELECT 1" in seen
    raw.close()  # the server dropped it while it sat in the pool
    info["wsi_idle_since"] -= 60
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is not raw
        assert conn.scalar(text("SELECT 3")) == 3  # the request runs on a fresh connection, no error
    engine.dispose()
