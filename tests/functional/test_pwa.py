"""The service worker and manifest are served from the site root, uncached, with the right types;
the ward pack lists what a device caches to work offline."""
from __future__ import annotations

import re
from pathlib import Path

from PIL import Image


def test_service_worker_is_served_at_the_root_with_no_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    assert "skipWaiting" in body and "clients.claim" in body and "wsi-shell-" in body


def test_cache_version_changes_when_a_precached_file_changes(app, client):
    from inspect_app.pwa import views

    first = client.get("/sw.js").get_data(as_text=True)
    views._version.cache_clear()
    css = Path(app.static_folder, "css", "app.css")
    original = css.read_bytes()
    try:
        css.write_bytes(original + b"\n/* release */\n")
        second = client.get("/sw.js").get_data(as_text=True)
    finally:
        css.write_bytes(original)
        views._version.cache_clear()
    version = lambda text: text.split("var VERSION = ")[1].split(";")[0]  # noqa: E731
    assert version(first) != version(second)


def test_manifest_is_installable_with_real_icons(app, client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "no-cache"
    manifest = response.get_json(force=True)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["theme_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        path = Path(app.static_folder, icon["src"].split("?")[0].removeprefix("/static/"))  # ?v= fingerprint
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_offline_page_needs_no_sign_in(client):
    response = client.get("/offline")
    assert response.status_code == 200 and b"You are offline" in response.data


def test_ward_pack_lists_overview_rooms_forms_and_points(device, offline_walk):
    inspection = offline_walk["inspection"]
    room = offline_walk["rooms"]["Bedroom 1"]
    device.send(device.op("finding.create", {"inspection_id": inspection.id, "room_id": room.id,
                                             "category": "Window", "description": "Restrictor",
                                             "grade": "2x3"}))
    pack = device.auth.client.get(f"/api/v1/inspections/{inspection.id}/pack").json
    urls = pack["urls"]
    assert urls[0] == f"/inspections/{inspection.id}"
    assert f"/inspections/{inspection.id}/rooms/{room.id}" in urls
    assert pack["counts"]["rooms"] == len(offline_walk["rooms"]) and pack["counts"]["ligature_points"] == 1
    assert any(url.startswith("/ligature-points/") for url in urls)
    for url in urls:  # every URL in the pack really is a page the device can fetch
        assert device.auth.client.get(url).status_code == 200, url


def test_ward_pack_of_an_unknown_inspection_is_404(device):
    assert device.auth.client.get("/api/v1/inspections/99999/pack").status_code == 404


def test_ward_pack_holds_each_product_check_form_exactly_as_its_room_page_links_it(device, offline_walk, make_fixture):
    inspection = offline_walk["inspection"]
    fixture = make_fixture("Larch Ward", "Bedroom 1")
    make_fixture("Rowan Ward", "Bedroom 1")  # another ward's fixture is not in this ward's pack
    room = offline_walk["rooms"]["Bedroom 1"]
    page = device.auth.client.get(f"/inspections/{inspection.id}/rooms/{room.id}").get_data(as_text=True)
    link = re.search(r'href="(/checks/fixtures/\d+/check\?[^"]+)"', page).group(1).replace("&amp;", "&")
    urls = device.auth.client.get(f"/api/v1/inspections/{inspection.id}/pack").json["urls"]
    checks = [url for url in urls if url.startswith("/checks/")]
    assert checks == [link] and f"/checks/fixtures/{fixture.id}/" in link
    form = device.auth.client.get(link).get_data(as_text=True)
    assert 'data-op="fixture.check"' in form and f'name="fixture_id" value="{fixture.id}"' in form
