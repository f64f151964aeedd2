"""How a refused photo is answered over HTTP, the same on every page that takes photos."""
from __future__ import annotations

from flask import current_app

from inspect_app.errors import error_response

# Refused photos: a wrong type is 415, too big 413, anything else (damaged, too many pixels) 422.
PHOTO_STATUS = {"too_large": 413, "unsupported_format": 415}


def too_large(_exc=None):
    """413 for a request over MAX_CONTENT_LENGTH, with a message the inspector can act on."""
    limit = current_app.config["MAX_CONTENT_LENGTH"] / 2**20
    return error_response(413, f"That upload is larger than {limit:g} MB, so nothing was saved. Photos are "
                               "normally shrunk on the device first; take the photo again, or add photos one "
                               "at a time.")
