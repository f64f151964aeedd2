"""Security headers on every kind of response, and templates that a strict CSP can serve."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspect_app.security.access import public

TEMPLATES = Path(__file__).resolve().parents[2] / "inspect_app" / "templates"
EXPECTED_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' blob: data:",
    "connect-src": "'self'", "worker-src": "'self'", "manifest-src": "'self'", "frame-ancestors": "'none'",
    "base-uri": "'self'", "form-action": "'self'", "object-src": "'none'",
}


def _csp(response) -> dict[str, str]:
    parts = [p.strip().split(" ", 1) for p in response.headers["Content-Security-Policy"].split(";")]
    return {name: value for name, value in parts}


def assert_secure_headers(response) -> None:
    assert _csp(response) == EXPECTED_CSP
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert response.headers["X-Frame-Options"] == "DENY"
    permissions = response.headers["Permissions-Policy"]
    assert "camera=(self)" in permissions
    for feature in ("geolocation", "microphone", "payment", "usb"):
        assert f"{feature}=()" in permissions


@pytest.fixture
def boom_app(extra_app):
    """An app with one public view that fails, to see the 500 page's headers."""
    app = extra_app()
    app.add_url_rule("/boom", "boom", public(lambda: 1 / 0))
    return app


@pytest.mark.parametrize("path, status, mimetype", [
    ("/login", 200, "text/html"),
    ("/healthz", 200, "application/json"),
    ("/static/css/app.css", 200, "text/css"),
    ("/no-such-page", 404, "text/html"),
    ("/api/v1/no-such-thing", 404, "application/json"),
])
def test_every_kind_of_response_carries_the_security_headers(client, path, status, mimetype):
    response = client.get(path)
    response.close()  # static files are streamed from an open file
    assert response.status_code == status and response.mimetype == mimetype
    assert_secure_headers(response)


def test_error_responses_carry_the_security_headers(boom_app):
    client = boom_app.test_client()
    failed = client.get("/boom")
    assert failed.status_code == 500
    assert "Traceback" not in failed.get_data(as_text=True)
    assert_secure_headers(failed)
    refused = client.post("/login", data={"email": "a@b.c", "password": "x"})  # no CSRF token
    assert refused.status_code == 400
    assert_secure_headers(refused)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://wards.example.nhs.uk")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forwarded_proto_is_believed_only_with_proxy_fix(extra_app, client):
    spoofed = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers
    behind_proxy = extra_app(PROXY_FIX=True)
    forwarded = behind_proxy.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in forwarded.headers


def test_signed_in_pages_are_not_stored_in_caches(demo, auth):
    assert "no-store" not in auth.client.get("/login").headers.get("Cache-Control", "")
    auth.login("safety@demo.nhs.test")
    page = auth.client.get("/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert_secure_headers(page)


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_templates_have_no_inline_script_style_or_handlers():
    offences = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        for name, pattern in (("inline <script>", INLINE_SCRIPT), ("inline style", INLINE_STYLE),
                              ("on* handler", INLINE_HANDLER)):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{template.relative_to(TEMPLATES)}:{line}: {name}: {match.group(0).strip()}")
    assert offences == []


def test_scanner_catches_what_the_policy_would_block():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert INLINE_STYLE.search('<p style="color:red">') and INLINE_STYLE.search("<style>p{}</style>")
    assert INLINE_HANDLER.search('<button onclick="go()">') and not INLINE_HANDLER.search('<a data-once="1">')
