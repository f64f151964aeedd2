"""schemathesis against /api/v1/openapi.json through the WSGI app: no input makes a server error.

Signed in as the demo inspector (the API's main user) with a valid CSRF token, so generated
requests reach the operations instead of stopping at the sign-in or CSRF checks. Both schema-
conforming (positive) and schema-violating (negative) requests are sent.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from inspect_app.api.openapi import DOCUMENT

OPERATIONS = [(method.upper(), path) for path, methods in DOCUMENT["paths"].items() for method in methods]
EXAMPLES = 25  # per operation and mode: enough to hit every kind and type, quick enough for every run


@pytest.fixture
def api(app, demo, offline_walk, auth):
    """The loaded schema, and the cookies and headers of a signed-in inspector."""
    auth.login("inspector@demo.nhs.test")
    token = auth.token("/")
    cookie = auth.client.get_cookie("session").value
    served = auth.client.get("/api/v1/openapi.json")  # the document as the app serves it (signed in)
    assert served.status_code == 200
    schema = schemathesis.openapi.from_dict(served.get_json())
    return schema, {"session": cookie}, {"X-CSRFToken": token}


def test_the_schema_lists_every_api_route(api, app):
    schema, _, _ = api
    loaded = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    routes = {(method, rule.rule.replace("<int:inspection_id>", "{inspection_id}"))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert loaded == routes


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_generated_request_causes_a_server_error(api, app, method, path, mode):
    schema, cookies, headers = api
    operation = schema[path][method]
    statuses = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        response = case.call(app=app, cookies=cookies, headers=headers)
        statuses.append(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    check()
    assert statuses and max(statuses) < 500


def test_schemathesis_version_is_recorded():
    assert schemathesis.__version__.split(".")[0] == "4"
