"""The installable-app plumbing: service worker, web app manifest and the offline fallback page.

``/sw.js`` is a route (not ``/static/``) so its scope is the whole site (tech-notes §2.1).
Both it and the manifest are served with ``Cache-Control: no-cache`` so a new release is
picked up on the next visit. The cache version is a hash of the service worker and of the
files it precaches: any change to them makes a new cache and the old one is removed on activate.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from inspect_app.security.access import public

bp = Blueprint("pwa", __name__)

#: Static files every page needs, precached when the service worker installs.
SHELL_STATIC = ("css/app.css", "css/walk.css", "css/records.css", "css/plans.css", "js/plan.js",
                "js/outbox.js", "js/downscale.js", "js/app.js", "js/rules.js", "js/pending.js", "js/capture.js",
                "js/correct.js", "js/pack.js",
                "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-192.png", "icons/maskable-512.png")


@lru_cache(maxsize=4)
def _version(static_folder: str, template_folder: str) -> str:
    digest = hashlib.sha256()
    for path in [Path(static_folder, name) for name in SHELL_STATIC] + [Path(template_folder, "pwa", "sw.js"),
                                                                     Path(template_folder, "pwa", "offline.html")]:
        digest.update(path.read_bytes() if path.exists() else path.name.encode())
    return digest.hexdigest()[:12]


def cache_version() -> str:
    return _version(current_app.static_folder, str(Path(current_app.root_path, "templates")))


def _no_cache(body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
@public
def service_worker():
    shell = [url_for("pwa.offline"), url_for("pwa.manifest")]
    shell += [url_for("static", filename=name) for name in SHELL_STATIC]
    body = render_template("pwa/sw.js", version=cache_version(), shell=shell, offline_url=url_for("pwa.offline"))
    response = _no_cache(body, "application/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
@public
def manifest():
    icons = [{"src": url_for("static", filename=f"icons/{kind}-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": "maskable" if kind == "maskable" else "any"}
             for kind in ("icon", "maskable") for size in (192, 512)]
    body = {"name": "Ward Safety Inspect", "short_name": "Ward Inspect",
            "description": "Ligature point inspections on mental-health wards, online or offline.",
            "start_url": url_for("home.index"), "scope": "/", "display": "standalone",
            "orientation": "any", "background_color": "#ffffff", "theme_color": "#005eb8", "lang": "en-GB",
            "icons": icons}
    return _no_cache(json.dumps(body, indent=1), "application/manifest+json")


@bp.get("/offline")
@public
def offline():
    # Served from the cache when a page that was never downloaded is opened without a connection.
    return render_template("pwa/offline.html")
