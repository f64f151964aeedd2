"""Hostile input with hypothesis: every form the app shows and every sync API field.

The forms are found the way a user finds them: each role's pages are crawled (ids filled with
real records) and every ``<form>`` on them is collected with its fields. Each form is then
posted with hostile values (control characters, huge strings, wrong types, unknown and
out-of-range ids). The promise checked is the one in the brief: a clear 4xx (or a normal
success), never a 5xx. A ward manager is also pointed at another ward's records: 403/404.
"""
from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inspect_app.estates.models import Room
from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.inspections.models import Inspection
from tests.conftest import Auth

EXAMPLES = 6  # random examples per form, on top of the fixed classes below
# Every form also gets each of these in every field at once, so each class is always tried.
FIXED_CLASSES = ["", "\x00\x01\x1b[31m\r\n", "x" * 100_000, "99999999999999999999", "-1", "abc", "1.5",
                 "2024-02-30"]
SKIP_PATHS = ("/logout", "/static/", ".pdf", ".csv", "/photos/", "/reports/jobs/", "/sw.js", "/export.json")

HOSTILE_TEXT = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cs", "Co", "Zl", "Zp", "L", "N", "P", "S"]),
            max_size=40),
    st.sampled_from(["", " ", "\x00", "\r\n\t", "-1", "0", "1e309", "NaN", "2147483648", "99999999999999999999",
                     "1.5", "abc", "true", "null", "[]", "{}", "'; DROP TABLE ward; --", "=HYPERLINK(\"x\")",
                     "<script>alert(1)</script>", "../../etc/passwd", "2024-02-30", "9999-12-31T25:61",
                     "\u202eevil", "\ud800" if False else "\ufffd", "x" * 100_000]),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)


class Forms(HTMLParser):
    """Every form on a page: method, action, and its named fields with their current values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                               "fields": {}})
        elif self.forms and tag in ("input", "textarea", "select", "button") and a.get("name"):
            if a.get("type") in ("submit", "button", "file") and tag != "select":
                if a.get("type") == "submit":
                    self.forms[-1]["fields"].setdefault(a["name"], a.get("value") or "1")
                return
            self.forms[-1]["fields"].setdefault(a["name"], a.get("value") or "")
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select and self.forms:
            fields = self.forms[-1]["fields"]
            if not fields.get(self._select) and a.get("value"):
                fields[self._select] = a["value"]


def _forms(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


@pytest.fixture
def world(demo, make_action, stored_photo, make_fixture):
    """Records on Larch Ward (the manager's) and on Rowan Ward (not the manager's)."""
    larch = make_action(ward="Larch Ward", room="Bedroom 1")
    rowan = make_action(ward="Rowan Ward", room="Bedroom 1", description="Window handle")
    stored_photo(5)
    fixtures = {"mine": make_fixture("Larch Ward").id, "other": make_fixture("Rowan Ward").id}
    ids = {}
    for name, action in (("mine", larch), ("other", rowan)):
        finding = db.session.get(Finding, action.finding_id)
        inspection = db.session.scalar(select(Inspection).where(Inspection.ward_id == action.ward_id))
        room = db.session.get(Room, finding.room_id)
        ids[name] = {"action_id": action.id, "finding_id": finding.id, "inspection_id": inspection.id,
                     "room_id": room.id, "ward_id": action.ward_id, "fixture_id": fixtures[name],
                     "inspection": inspection.id}
    return ids


def _id_values(ids: dict) -> dict[str, int]:
    return {**{k: 1 for k in ("user_id", "template_id", "alert_id", "item_id", "fixture_id", "photo_id")}, **ids}


def _crawl(client, app, ids: dict) -> list[dict]:
    """GET every page this user may open (ids from ``ids``) and collect the forms found."""
    values = _id_values(ids)
    found, seen = [], set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIP_PATHS) or any(s in rule.rule for s in SKIP_PATHS):
            continue
        try:
            url = rule.build({arg: values.get(arg, "x") for arg in rule.arguments})[1]
        except Exception:  # noqa: BLE001 - a rule that cannot be built from these values is simply not crawled
            continue
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in _forms(response.get_data(as_text=True)):
            action = form["action"] or url
            key = (form["method"], re.sub(r"\d+", "N", action), tuple(sorted(form["fields"])))
            if key not in seen and not action.startswith("/logout"):
                seen.add(key)
                found.append({**form, "action": action})
    return found


def _signed_in(app, email):
    client = app.test_client()
    auth = Auth(client)
    assert auth.login(email).status_code == 302
    return client, auth


@pytest.mark.parametrize("email", ["inspector@demo.nhs.test", "manager@demo.nhs.test", "admin@demo.nhs.test",
                                   "safety@demo.nhs.test"])
def test_every_form_refuses_hostile_input_without_a_server_error(app, world, email):
    client, auth = _signed_in(app, email)
    forms = _crawl(client, app, world["mine"])
    assert forms, "the crawl found no forms"
    failures = []
    for form in forms:
        names = sorted(n for n in form["fields"] if n != "csrf_token" and not n.endswith("-csrf_token"))

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(hostile=st.fixed_dictionaries({n: HOSTILE_TEXT for n in names}), keep=st.sets(st.sampled_from(names))
               if names else st.just(set()))
        def post(hostile, keep):
            if client.get("/api/v1/me").status_code != 200:  # a fuzzed form may have ended the session
                auth.login(email)
            data = {**form["fields"], **{k: v for k, v in hostile.items() if k not in keep}}
            token = auth.token("/")
            data.update({k: token for k in form["fields"] if k == "csrf_token" or k.endswith("-csrf_token")})
            if form["method"] == "get":
                response = client.get(form["action"], query_string=data)
            else:
                response = client.post(form["action"], data=data)
            if response.status_code >= 500:
                failures.append((form["method"], form["action"], response.status_code,
                                 {k: v[:80] for k, v in data.items()}))

        post()
        for value in FIXED_CLASSES:
            post.hypothesis.inner_test(hostile={n: value for n in names}, keep=set())
    assert failures == []


ROUTE_ID_ARGS = {"action_id", "finding_id", "inspection_id", "room_id", "ward_id"}


def test_a_ward_manager_cannot_reach_another_wards_records(app, world):
    client, auth = _signed_in(app, "manager@demo.nhs.test")
    token = auth.token("/")
    other = world["other"]
    reached = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or not rule.arguments <= ROUTE_ID_ARGS | {"target"}:
            continue
        url = rule.build({arg: other.get(arg, "verified") for arg in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token})
            if response.status_code not in (403, 404):
                reached.append((method, url, response.status_code))
    assert reached == []


@pytest.mark.parametrize("value", [0, -1, 999_999, 2**31 - 1, 2**31, 10**30])
def test_unknown_and_out_of_range_ids_in_urls_are_404(app, world, value):
    client, _ = _signed_in(app, "admin@demo.nhs.test")
    for path in ("/inspections/{}", "/actions/{}", "/ligature-points/{}", "/audit/inspections/{}",
                 "/admin/users/{}", "/inspections/{}/rooms/1", "/r/{}"):
        status = client.get(path.format(value)).status_code
        assert status == 404, (path, value, status)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)
API_FIELDS = ["inspection_id", "room_id", "item_id", "value", "comment", "client_id", "grade", "category",
              "description", "location", "existing_controls", "mitigation", "recommended_action", "low_level",
              "finding_id", "finding_client_id", "edited_at", "photo_uuid", "not_accessible", "reason", "outcome",
              "fixture_id", "result", "notes", "inspection", "task_id", "note", "finding_ids", "photo_uuids"]


@pytest.fixture
def tablet(app, world):
    client, auth = _signed_in(app, "inspector@demo.nhs.test")
    return client, {"X-CSRFToken": auth.token("/")}


@pytest.mark.parametrize("kind", ["answer", "finding.create", "finding.update", "finding.grade", "photo.add",
                                  "room.access", "carry_forward", "fixture.check", "trust_check.answer",
                                  "no.such.kind"])
def test_every_sync_api_field_refuses_hostile_values(tablet, world, kind):
    client, headers = tablet
    real = world["mine"]

    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(payload=st.dictionaries(st.sampled_from(API_FIELDS), JSON_VALUES, max_size=6),
           base=st.sampled_from([{}, real, world["other"]]),
           op_id=st.one_of(st.just(None), st.uuids().map(str), HOSTILE_TEXT),
           client_time=st.one_of(st.none(), HOSTILE_TEXT), multipart=st.booleans())
    def send(payload, base, op_id, client_time, multipart):
        op = {"op_id": op_id or str(uuid.uuid4()), "kind": kind, "payload": {**base, **payload},
              "client_time": client_time}
        if multipart:
            response = client.post("/api/v1/ops", headers=headers, content_type="multipart/form-data",
                                   data={"op": json.dumps(op), "photo": (__import__("io").BytesIO(b"not a jpeg"),
                                                                         "p.jpg", "image/jpeg")})
        else:
            response = client.post("/api/v1/ops", headers=headers, json=op)
        assert response.status_code < 500, (op, response.get_data(as_text=True)[:300])
        assert response.is_json

    send()


WRONG_TYPES = [{}, [], {"a": [1]}, 12, -1, 1.5, True, None, 2**70, "", "x" * 100_000, "\x00\x1b\r\n"]


@pytest.mark.parametrize("kind", ["answer", "finding.create", "finding.update", "finding.grade", "photo.add",
                                  "room.access", "carry_forward", "fixture.check", "trust_check.answer"])
def test_each_sync_field_with_each_wrong_type_is_a_4xx(tablet, world, kind):
    client, headers = tablet
    failures = []
    for field in API_FIELDS:
        for value in WRONG_TYPES:
            op = {"op_id": str(uuid.uuid4()), "kind": kind, "payload": {**world["mine"], field: value}}
            response = client.post("/api/v1/ops", headers=headers, json=op)
            if response.status_code >= 500:
                failures.append((field, repr(value)[:30], response.status_code))
    assert failures == []


@pytest.mark.parametrize("body", [None, [], "text", 12, {"op_id": "x"}, {"kind": []}, {"payload": "x"}],
                         ids=lambda b: repr(b)[:20])
def test_malformed_operations_are_400(tablet, body):
    client, headers = tablet
    response = client.post("/api/v1/ops", headers=headers, json=body)
    assert 400 <= response.status_code < 500 and response.is_json
