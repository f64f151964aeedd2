"""Two app servers (gunicorn) sharing PostgreSQL, SeaweedFS (S3), Redis and an OpenID provider.

Every service is a real server started on loopback by ``scripts/cluster.py`` with throwaway
data folders, and stopped afterwards; nothing is mocked in-process. The servers run the
production configuration behind ``PROXY_FIX`` (as behind the reverse proxy), so the tests can
speak for a client address with X-Forwarded-For.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from tests.fixtures.walkthrough import make_photo

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from cluster import Cluster, flask  # noqa: E402

pytestmark = pytest.mark.deployment

ROLE_MAP = {"claims": ["groups", "roles"], "rules": [
    {"value": "WSI-Safety", "role": "safety_lead"},
    {"value": "WSI-Larch", "role": "ward_manager", "wards": ["Larch Ward"]}]}
PASSWORD = "ward-demo-pass"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    role_map = tmp_path_factory.mktemp("oidc") / "roles.json"
    role_map.write_text(json.dumps(ROLE_MAP))
    with Cluster(servers=2, workers=2, extra_env={"PROXY_FIX": "1", "REPORT_INLINE_SECONDS": "0",
                                                  "OIDC_ROLE_MAP": str(role_map)}) as running:
        running.db = create_engine(running.pg.url)
        yield running
        running.db.dispose()


def token(session: requests.Session, url: str) -> str:
    page = session.get(url).text
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|<meta name="csrf-token" content="([^"]+)"',
                      page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def sign_in(base: str, email: str, address: str = "203.0.113.5") -> requests.Session:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address
    response = session.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                   "csrf_token": token(session, f"{base}/login")},
                            allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return session


def scalar(cluster, sql: str, **params):
    with cluster.db.connect() as conn:
        return conn.execute(text(sql), params).scalar()


@pytest.fixture(scope="module")
def walk(cluster):
    """Through server A: the demo inspector starts a Larch Ward inspection and records a point with a photo."""
    a = cluster.apps[0].base
    session = sign_in(a, "inspector@demo.nhs.test")
    ward_id = scalar(cluster, "SELECT id FROM ward WHERE name = 'Larch Ward'")
    start = f"{a}/inspections/start/{ward_id}"
    response = session.post(start, data={
        "csrf_token": token(session, start), "inspection_type": "annual", "team-0-name": "Sam Okafor",
        "team-0-role": "Estates officer", "team-1-name": "Ana Ward", "team-1-role": "Ward clinician"},
        allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    inspection_id = int(re.search(r"/inspections/(\d+)", response.headers["Location"]).group(1))
    room_id = scalar(cluster, "SELECT id FROM room WHERE ward_id = :w AND name = 'Bedroom 1'", w=ward_id)
    room_page = f"{a}/inspections/{inspection_id}/rooms/{room_id}"
    response = session.post(f"{a}/ligature-points/new", data={
        "csrf_token": token(session, room_page), "inspection_id": inspection_id, "room_id": room_id,
        "category": "Doors & door furniture", "description": "Overhead door closer arm",
        "location": "Top of the door, hinge side", "mitigation": "REPLACE", "grade": "4x5",
        "load_bearing": "full"},  # the form asks first (issue 14)
        files={"photos": ("door.jpg", make_photo(), "image/jpeg")}, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    # (the demo's Larch Ward may already hold points of its own: take the one just recorded)
    finding_id = scalar(cluster, "SELECT id FROM finding WHERE inspection_id = :i AND description = "
                                 "'Overhead door closer arm' ORDER BY id DESC LIMIT 1", i=inspection_id)
    return {"session": session, "inspection_id": inspection_id, "finding_id": finding_id}


def test_a_photo_uploaded_through_a_is_served_by_b_with_the_same_bytes(cluster, walk):
    a, b = (app.base for app in cluster.apps)
    photo_uuid = scalar(cluster, "SELECT uuid FROM photo WHERE finding_id = :f", f=walk["finding_id"])
    sha256 = scalar(cluster, "SELECT sha256 FROM photo WHERE uuid = :u", u=photo_uuid)
    from_b = walk["session"].get(f"{b}/photos/{photo_uuid}/large.jpg")
    assert from_b.status_code == 200 and from_b.headers["Content-Type"] == "image/jpeg"
    assert from_b.headers["Cache-Control"] == "no-store"  # same headers as from local disk
    assert hashlib.sha256(from_b.content).hexdigest() == sha256
    assert walk["session"].get(f"{a}/photos/{photo_uuid}/large.jpg").content == from_b.content
    again = walk["session"].get(f"{b}/photos/{photo_uuid}/large.jpg", headers={"If-None-Match": f'"{sha256}"'})
    assert again.status_code == 304
    assert requests.get(f"{b}/photos/{photo_uuid}/large.jpg", allow_redirects=False).status_code == 302  # signed out
    assert not any((app.dir / "photos").exists() for app in cluster.apps)  # nothing on the servers' disks


def test_a_report_started_on_a_completes_and_downloads_from_b(cluster, walk):
    a, b = (app.base for app in cluster.apps)
    session = walk["session"]
    started = session.get(f"{a}/reports/inspections/{walk['inspection_id']}.pdf", allow_redirects=False)
    assert started.status_code == 303
    job = started.headers["Location"]
    deadline = time.monotonic() + 60
    while (state := session.get(f"{b}{job}/status.json").json())["status"] not in {"done", "failed"}:
        assert time.monotonic() < deadline, state
        time.sleep(0.3)
    assert state["status"] == "done"
    download = session.get(f"{b}{state['download']}")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "private, no-store"
    pdf = PdfReader(io.BytesIO(download.content))
    assert "Overhead door closer arm" in "".join(page.extract_text() for page in pdf.pages)
    other = sign_in(b, "safety@demo.nhs.test")
    assert other.get(f"{a}{job}/status.json").status_code == 404  # a job is its owner's alone


def test_failed_sign_ins_over_both_servers_share_the_per_address_limit(cluster):
    servers = [app.base for app in cluster.apps]
    session = requests.Session()
    session.headers["X-Forwarded-For"] = "198.51.100.77"
    csrf = token(session, f"{servers[0]}/login")
    statuses = []
    for n in range(31):
        response = session.post(f"{servers[n % 2]}/login", data={
            "email": f"nobody{n}@demo.nhs.test", "password": "wrong-password-123", "csrf_token": csrf})
        statuses.append(response.status_code)
    assert statuses[:30] == [401] * 30, statuses
    assert statuses[30] == 429 and "Too many sign-in attempts" in response.text
    # another address is not affected
    fresh = requests.Session()
    fresh.headers["X-Forwarded-For"] = "198.51.100.78"
    assert fresh.post(f"{servers[1]}/login", data={"email": "nobody@demo.nhs.test", "password": "x" * 12,
                                                   "csrf_token": token(fresh, f"{servers[1]}/login")}).status_code == 401


def test_storage_outage_is_a_clear_503_with_nothing_saved_and_a_retry_succeeds(cluster, walk):
    a, b = (app.base for app in cluster.apps)
    session = walk["session"]
    photos_before = scalar(cluster, "SELECT count(*) FROM photo")
    photo_uuid = str(uuid.uuid4())
    form = {"finding_id": walk["finding_id"], "photo_uuid": photo_uuid}

    def upload():
        return session.post(f"{a}/photos/add", data={**form, "csrf_token": token(session, f"{a}/")},
                            files={"photo": ("again.jpg", make_photo(colour=(20, 90, 200)), "image/jpeg")},
                            allow_redirects=False)

    cluster.s3.stop()
    try:
        refused = upload()
        assert refused.status_code == 503
        assert "nothing from that request was saved" in refused.text
        assert scalar(cluster, "SELECT count(*) FROM photo") == photos_before
        health = requests.get(f"{b}/healthz")
        assert health.status_code == 503 and health.json()["storage"].startswith("unreachable")
        assert health.json()["database"] == "ok" and health.json()["redis"] == "ok"
    finally:
        cluster.s3.run()
    assert requests.get(f"{b}/healthz").status_code == 200
    retried = upload()
    assert retried.status_code == 302, retried.text[:500]
    assert scalar(cluster, "SELECT count(*) FROM photo") == photos_before + 1
    assert session.get(f"{b}/photos/{photo_uuid}/thumb.jpg").status_code == 200
    check = flask(cluster.env, "photos", "check", "--grace-minutes", "0")
    assert "Missing files (record without file): 0" in check


def _provider_sign_in(cluster, base: str, sub: str, path: str = "/login/oidc", session=None):
    session = session or requests.Session()
    start = session.get(f"{base}{path}", allow_redirects=False)
    assert start.status_code == 302
    authorize = start.headers["Location"]
    assert authorize.startswith(cluster.oidc.issuer) and "code_challenge_method=S256" in authorize
    code = session.post(authorize, data={"sub": sub}, allow_redirects=False)
    assert code.status_code == 302 and "/login/oidc/callback?" in code.headers["Location"]
    return session, authorize, session.get(code.headers["Location"], allow_redirects=False)


def test_single_sign_on_against_a_real_provider(cluster):
    a, b = (app.base for app in cluster.apps)
    flask(cluster.env, "create-user", "--email", "alex.sso@demo.nhs.test", "--name", "Alex Sso",
          "--role", "inspector", "--password", "a-long-test-password-42")
    cluster.oidc.set_user("alex", {"email": "Alex.SSO@demo.nhs.test", "email_verified": True, "name": "Alex Sso",
                                   "groups": ["All-Staff", "WSI-Safety"]})
    cluster.oidc.set_user("stranger", {"email": "stranger@elsewhere.test", "email_verified": True})
    cluster.oidc.set_user("unverified", {"email": "alex.sso@demo.nhs.test", "email_verified": False})

    session, _authorize, signed_in = _provider_sign_in(cluster, a, "alex")
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/")
    assert "Sign out" in session.get(f"{b}/").text  # the session works on the other server too
    # the group claim mapped the role
    assert scalar(cluster, "SELECT role FROM \"user\" WHERE email = 'alex.sso@demo.nhs.test'") == "safety_lead"

    # re-authentication for sign-off goes back to the provider with prompt=login and max_age=0
    _session, authorize, back = _provider_sign_in(cluster, b, "alex", "/login/oidc/reauth?next=/reports/",
                                                  session=session)
    assert "prompt=login" in authorize and "max_age=0" in authorize
    assert back.status_code == 302 and back.headers["Location"].endswith("/reports/")

    # sign-out ends the app session and offers the provider's end-session URL
    out = session.post(f"{a}/logout", data={"csrf_token": token(session, f"{a}/")})
    assert out.status_code == 200 and f"{cluster.oidc.issuer}/oauth2/end_session" in out.text
    assert session.get(f"{b}/", allow_redirects=False).status_code == 302

    for sub, message in (("stranger", "has no account"), ("unverified", "did not give a verified email")):
        refused_session, _authorize, refused = _provider_sign_in(cluster, a, sub)
        assert refused.status_code == 403 and message in refused.text
        assert refused_session.get(f"{b}/", allow_redirects=False).status_code == 302


def test_backup_and_restore_with_object_storage(cluster, walk, tmp_path):
    """Last in the module: restore replaces the database, so the app servers are stopped first."""
    from cluster import BUCKET

    s3 = cluster.s3.client()
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="photos/")["Contents"])
    assert keys
    out = flask(cluster.env, "backup", str(tmp_path / "backup"))
    assert f"{len(keys)} photo files" in out
    for app in cluster.apps:
        app.stop()
    lost, original = keys[0], s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    s3.delete_object(Bucket=BUCKET, Key=lost)
    s3.put_object(Bucket=BUCKET, Key="photos/zz/zz/stray-large.jpg", Body=b"not in the backup")
    flask(cluster.env, "restore", str(tmp_path / "backup"), "--yes")
    after = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="photos/")["Contents"])
    assert after == keys
    assert s3.get_object(Bucket=BUCKET, Key=lost)["Body"].read() == original
    check = flask(cluster.env, "photos", "check", "--checksums")
    assert "Missing files (record without file): 0" in check and "Corrupt files (checksum differs): 0" in check
