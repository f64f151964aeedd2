"""Every endpoint requires sign-in and the right role: walk app.url_map as each role."""
from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from inspect_app.domain.workflow import Role
from inspect_app.security.access import PUBLIC
from tests.conftest import Auth

LOGINS = {
    Role.INSPECTOR: "inspector@demo.nhs.test",
    Role.WARD_MANAGER: "manager@demo.nhs.test",
    Role.SAFETY_LEAD: "safety@demo.nhs.test",
    Role.ADMIN: "admin@demo.nhs.test",
    Role.RISK_APPROVER: "approver@demo.nhs.test",
    Role.WARD_STAFF: "staff@demo.nhs.test",
}
ALWAYS_PUBLIC = {"static"}


def _endpoints(app):
    """(endpoint, url, method, allowed roles) for every rule, with ids filled in as 1."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ALWAYS_PUBLIC:
            continue
        view = app.view_functions[rule.endpoint]
        allowed = getattr(view, "allowed_roles", None)
        values = {arg: 1 if isinstance(rule._converters[arg], IntegerConverter) else "x"
                  for arg in rule.arguments}
        url = rule.build(values)[1] if rule.arguments else rule.rule
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        out.append((rule.endpoint, url, method, allowed))
    return out


def test_every_endpoint_declares_who_may_use_it(app):
    missing = [endpoint for endpoint, _, _, allowed in _endpoints(app) if allowed is None]
    assert missing == [], f"endpoints without requires()/public: {missing}"


def _call(client, method, url, token):
    headers = {"X-CSRFToken": token}
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token}, headers=headers)


def test_anonymous_visitors_are_sent_to_sign_in(app, demo):
    client = app.test_client()
    token = Auth(client).token("/login")
    for endpoint, url, method, allowed in _endpoints(app):
        if allowed == PUBLIC:
            continue
        response = _call(client, method, url, token)
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, response.status_code)
            assert response.is_json
        else:
            assert response.status_code == 302, (endpoint, response.status_code)
            assert "/login" in response.headers["Location"], endpoint


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_endpoints(app, demo, role):
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(LOGINS[role]).status_code == 302
    token = auth.token("/")
    for endpoint, url, method, allowed in _endpoints(app):
        if allowed == PUBLIC or endpoint == "auth.logout":
            continue
        response = _call(client, method, url, token)
        if role in allowed:
            assert response.status_code not in (401, 403), (role, endpoint, response.status_code)
            assert response.status_code < 500, (role, endpoint, response.status_code)
        else:
            assert response.status_code == 403, (role, endpoint, response.status_code)
