"""Redis unreachable: sign-in still works (limits fall back to this worker's memory); a report
build answers a clear 503 instead of a 500."""
from __future__ import annotations

from tests.conftest import Auth

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_sign_in_and_reports_with_redis_down(demo, extra_app):
    app = extra_app(REDIS_URL=DEAD_REDIS, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD_REDIS,
                    LOGIN_RATE_PER_ADDRESS="3/minute")
    client = app.test_client()
    auth = Auth(client)
    statuses = [auth.login("nobody@demo.nhs.test", password="wrong-password-123").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]  # still limited, from this worker's memory
    signed_in = client.post("/login", data={"email": "safety@demo.nhs.test", "password": "ward-demo-pass",
                                            "csrf_token": auth.token("/login")},
                            environ_overrides={"REMOTE_ADDR": "192.0.2.44"})
    assert signed_in.status_code == 302
    response = client.get("/reports/tracker.pdf")
    assert response.status_code == 503
    assert "nothing from that request was saved" in response.get_data(as_text=True)
