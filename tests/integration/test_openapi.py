"""The OpenAPI document describes exactly the /api/v1 routes and methods the app serves."""
from __future__ import annotations

import re

from inspect_app.api.openapi import DOCUMENT


def _served(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_openapi_paths_and_methods_match_the_url_map(app):
    documented = {path: set(ops) for path, ops in DOCUMENT["paths"].items()}
    assert documented == _served(app)


def test_document_is_openapi_3_with_path_parameters_declared(app):
    assert DOCUMENT["openapi"].startswith("3.0")
    for path, ops in DOCUMENT["paths"].items():
        names = set(re.findall(r"{([a-z_]+)}", path))
        for operation in ops.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, path
            assert "401" in operation["responses"], path


def test_served_document_is_the_same_json(client, auth, demo):
    auth.login("inspector@demo.nhs.test")
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json["paths"].keys() == DOCUMENT["paths"].keys()
