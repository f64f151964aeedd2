"""Static files and response size: fingerprinted static URLs cached for a year, and compressed
responses (Flask-Compress: zstd, Brotli or gzip, whichever the browser takes first), and the layout's links built
once per process (static_url, link).

Every ``url_for('static', filename=...)`` gets ``?v=<content hash>``. A request that carries the
file's current hash is answered ``Cache-Control: public, max-age=31536000, immutable``: the
browser never asks again, and a release changes the URL. Anything else (no hash, an old hash)
gets ``no-cache``, so it is revalidated. The service worker precaches the same fingerprinted
URLs, so it can take them from the HTTP cache instead of downloading them again.
"""
from __future__ import annotations

import hashlib
import os
import stat
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from flask_compress import Compress

compress = Compress()
IMMUTABLE = "public, max-age=31536000, immutable"
# What is worth compressing: text formats. Images, PDFs and photos are compressed already.
COMPRESSED_TYPES = ["text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
                    "application/json", "application/manifest+json", "application/problem+json", "image/svg+xml"]


@lru_cache(maxsize=512)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def fingerprint(static_folder: str, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256 (recomputed when the file changes), or None
    (one stat of the file: a page links a dozen)."""
    path = os.path.join(static_folder, filename)
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return _digest(path, info.st_mtime_ns, info.st_size)


def _page_fingerprint(static_folder: str, filename: str) -> str | None:
    """:func:`fingerprint`, looked up once per request and file: a page links its scripts and styles
    ~20 times (layout, page, service-worker list) and each lookup was a stat of the file."""
    if not has_request_context():
        return fingerprint(static_folder, filename)
    seen = g.setdefault("_fingerprints", {})
    if filename not in seen:
        seen[filename] = fingerprint(static_folder, filename)
    return seen[filename]


_STATIC_URLS: dict[tuple[str, str, str | None], str] = {}


def static_url(filename: str) -> str:
    """``url_for('static', filename=...)`` with its fingerprint, built once per process for each
    version of the file (the layout links a dozen files on every page)."""
    key = (request.script_root, filename, _page_fingerprint(current_app.static_folder, filename))
    url = _STATIC_URLS.get(key)
    if url is None:
        url = _STATIC_URLS[key] = url_for("static", filename=filename)
    return url


_LINKS: dict[tuple[str, str], str] = {}


def link(endpoint: str) -> str:
    """``url_for(endpoint)`` for a page that takes no arguments (the navigation's), built once per
    process: the layout links a dozen on every page."""
    key = (request.script_root, endpoint)
    url = _LINKS.get(key)
    if url is None:
        url = _LINKS[key] = url_for(endpoint)
    return url


def register(app: Flask) -> None:
    app.jinja_env.globals.update(static_url=static_url, link=link)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip"])
    compress.init_app(app)

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = _page_fingerprint(app.static_folder, values["filename"])
            if digest:
                values["v"] = digest

    # Registered after Compress, so it runs before it (Flask runs after_request functions last first).
    @app.after_request
    def static_caching(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            current = fingerprint(app.static_folder, filename)
            fresh = current is not None and request.args.get("v") == current
            response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"
            if response.status_code == 200 and response.is_streamed and response.mimetype in COMPRESSED_TYPES:
                _read_in(response)
        return response


def _read_in(response: Response) -> None:
    """Turn a static file's streamed body into bytes, closing the file: Flask-Compress then
    compresses it whole (its streaming path would leave the file open)."""
    body = response.response
    try:
        data = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    response.direct_passthrough = False
    response.set_data(data)
