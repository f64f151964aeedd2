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


def test_incident_and_trust_check_routes_keep_to_the_managers_wards(app, demo, people):
    """Every incident and trust-wide check route that names a record on another ward answers 404 to
    a ward manager (as ward pages do: ids are not probed) and works on their own ward."""
    from datetime import timedelta

    from sqlalchemy import select

    from inspect_app.clock import utcnow
    from inspect_app.estates.models import Room
    from inspect_app.extensions import db
    from inspect_app.incidents import services as incidents
    from inspect_app.learning import services as learning

    def incident(ward: str):
        room = db.session.scalar(select(Room).where(Room.ward_id == demo["wards"][ward], Room.name == "Bedroom 1"))
        return incidents.record_incident(incidents.IncidentInput(
            room=room, occurred_at=utcnow(), incident_type="near_miss", outcome="no_harm"),
            by=people["safety_lead"], now=utcnow())

    own, other = incident("Larch Ward"), incident("Hazel Ward")
    check = learning.launch(title="Doors", criteria=learning.Criteria(category="door"), instructions="",
                            due_on=utcnow().date() + timedelta(days=5), by=people["safety_lead"], now=utcnow())
    db.session.commit()
    tasks = {t.ward_id: t.id for t in check.tasks}
    own_task, other_task = tasks[demo["wards"]["Larch Ward"]], tasks[demo["wards"]["Hazel Ward"]]
    client = app.test_client()
    auth = Auth(client)
    auth.login(LOGINS[Role.WARD_MANAGER])
    token = auth.token("/")
    hidden = [("GET", f"/incidents/{other.id}"), ("POST", f"/incidents/{other.id}/point"),
              ("GET", f"/incidents/new?ward_id={demo['wards']['Hazel Ward']}"),
              ("GET", f"/learning/tasks/{other_task}"), ("POST", f"/learning/tasks/{other_task}")]
    for method, url in hidden:
        assert _call(client, method, url, token).status_code == 404, url
    listing = client.get("/incidents/").get_data(as_text=True)
    assert own.ref in listing and other.ref not in listing
    for url in (f"/incidents/{own.id}", f"/learning/tasks/{own_task}", f"/learning/{check.id}",
                f"/incidents/new?ward_id={demo['wards']['Larch Ward']}"):
        assert client.get(url).status_code == 200, url
