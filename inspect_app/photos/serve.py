"""Stream a stored photo to the browser, from whichever store holds it, with the caller's headers.

The bytes are streamed (never read whole into memory) with their length, an ETag when given,
and 304 answers to a matching ``If-None-Match``. A rendition missing from the store is a 404
(``photos check`` reports it); an unreachable store is a 503 (``StorageUnavailable``).
"""
from __future__ import annotations

import os

from flask import abort, send_file

from inspect_app.stores.storage import LocalStorage, PhotoStorage


def stored_file(store: PhotoStorage, key: str, *, cache_control: str, etag: str | None = None,
                mimetype: str = "image/jpeg"):
    """The response serving ``key`` (404 when the file is missing)."""
    try:
        # Local files go by path, so Werkzeug can use sendfile and answer Range requests.
        source = store.open_path(key) if isinstance(store, LocalStorage) else store.open(key)
    except FileNotFoundError:
        abort(404)  # `photos check` reports missing files; the page must not fail
    response = send_file(source, mimetype=mimetype, max_age=0, etag=etag or False, conditional=True,
                         last_modified=None)
    if not isinstance(store, LocalStorage) and response.status_code == 200:
        size = getattr(source.raw, "size", None) if hasattr(source, "raw") else None
        if size is None and hasattr(source, "fileno"):
            size = os.fstat(source.fileno()).st_size
        if size is not None:
            response.content_length = size
    response.headers["Cache-Control"] = cache_control
    return response
