"""Single sign-on settings that need no provider: passwords switched off, the claim mapping, SSO off."""
from __future__ import annotations

import json

import pytest

from inspect_app.auth import oidc_map
from tests.conftest import Auth

MAP = {"claims": ["groups", "roles"], "rules": [
    {"value": "WSI-Admins", "role": "admin"},
    {"value": "WSI-Larch", "role": "ward_manager", "wards": ["Larch Ward"]},
    {"value": "WSI-Willow", "role": "ward_manager", "wards": ["Willow Ward"]}]}


@pytest.mark.parametrize(("claims", "expected"), [
    ({"groups": ["WSI-Larch", "WSI-Willow"]}, oidc_map.Grant("ward_manager", ("Larch Ward", "Willow Ward"))),
    ({"roles": "WSI-Admins", "groups": ["WSI-Larch"]}, oidc_map.Grant("admin", ())),  # first rule wins
    ({"groups": ["Everyone"]}, None),
    ({}, None),
])
def test_claims_map_to_a_role_and_wards(claims, expected):
    assert oidc_map.grant(MAP, claims) == expected


def test_a_mapping_file_with_an_unknown_role_is_refused(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"rules": [{"value": "x", "role": "superuser"}]}))
    with pytest.raises(ValueError):
        oidc_map.load(str(path))


def test_passwords_switched_off_except_for_break_glass(demo, extra_app):
    app = extra_app(LOCAL_PASSWORDS=False, BREAK_GLASS_EMAILS="admin@demo.nhs.test, safety@demo.nhs.test")
    client = app.test_client()
    refused = Auth(client).login("inspector@demo.nhs.test")
    assert refused.status_code == 403 and "passwords are switched off" in refused.get_data(as_text=True)
    assert Auth(client).login("safety@demo.nhs.test").status_code == 403  # listed, but not an administrator
    assert Auth(client).login("admin@demo.nhs.test").status_code == 302


def test_without_oidc_settings_the_sso_routes_lead_back_to_the_password_form(client):
    assert "trust account" not in client.get("/login").get_data(as_text=True)
    response = client.get("/login/oidc")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
