"""Static files are fingerprinted and cached for a year; text responses are compressed."""
from __future__ import annotations

import gzip
import re

from inspect_app.assets import IMMUTABLE, fingerprint


def test_static_urls_carry_their_content_hash_and_are_immutable(app, client):
    html = client.get("/login").get_data(as_text=True)
    url = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', html)
    assert url, "the stylesheet link is fingerprinted"
    assert url.group(2) == fingerprint(app.static_folder, "css/app.css")
    with client.get(url.group(1)) as fresh:
        assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == IMMUTABLE
    for stale in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        with client.get(stale) as response:
            assert response.headers["Cache-Control"] == "no-cache"  # revalidated, never pinned
    sw = client.get("/sw.js").get_data(as_text=True)
    assert url.group(1) in sw and "cache: 'reload'" not in sw  # precache the same URL, from the HTTP cache


def test_text_responses_are_compressed_for_browsers_that_accept_it(app, client):
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    assert b"Sign in" in gzip.decompress(page.data)
    script_url = re.search(r'src="(/static/js/app\.js\?v=[0-9a-f]+)"', client.get("/login").get_data(as_text=True))
    with client.get(script_url.group(1)) as plain_script:
        size = len(plain_script.data)
    with client.get(script_url.group(1), headers={"Accept-Encoding": "br, gzip"}) as script:
        assert script.headers["Content-Encoding"] == "br" and len(script.data) < 0.5 * size
    assert client.get("/healthz", headers={"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") is None  # tiny
    plain = client.get("/login")
    assert "Content-Encoding" not in plain.headers and b"Sign in" in plain.data


def test_every_script_and_stylesheet_a_page_loads_is_fingerprinted_and_precached(client):
    html = client.get("/login").get_data(as_text=True)
    sw = client.get("/sw.js").get_data(as_text=True)
    linked = re.findall(r'(?:src|href)="(/static/(?:js|css)/[^"]+)"', html)
    assert {"/static/js/pending.js", "/static/js/capture.js", "/static/js/correct.js"} <= {u.split("?")[0] for u in linked}
    unfingerprinted = [url for url in linked if not re.search(r"\?v=[0-9a-f]{12}$", url)]
    missing = [url for url in linked if f"'{url}'" not in sw and f'"{url}"' not in sw]
    assert unfingerprinted == [] and missing == []  # offline, a page needs every one from the cache
