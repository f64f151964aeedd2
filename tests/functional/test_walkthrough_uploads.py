"""Hostile uploads on the ligature point form: each gets a clear 4xx message and nothing is half-saved."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.findings.models import Finding
from inspect_app.photos.models import Photo
from tests.fixtures.walkthrough import make_photo


def _huge_png() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG")  # 400 megapixels, a few hundred KB on disk
    return buf.getvalue()


def _oversized_jpeg() -> bytes:
    return make_photo((400, 300)) + b"\0" * (16 * 2**20)  # over the 15 MB photo limit, under the 20 MB request


HOSTILE = {
    "text named .jpg": (lambda: b"just some text, not a photo\n" * 20, 415, "not a photo we can read"),
    "truncated JPEG": (lambda: make_photo()[:4000], 422, "damaged or incomplete"),
    "20000x20000 PNG": (_huge_png, 422, "too large in pixels"),
    "oversized file": (_oversized_jpeg, 413, "larger than 15 MB"),
    "SVG": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415,
            "not a photo we can read"),
    "HTML": (lambda: b"<!doctype html><html><body><script>alert(1)</script></body></html>", 415,
             "not a photo we can read"),
}


def _counts():
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Finding)),
            db.session.scalar(select(func.count()).select_from(Photo)))


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_upload_is_refused_with_a_message_and_nothing_is_saved(walkthrough, kind):
    make, status, message = HOSTILE[kind]
    room = walkthrough.room("Bedroom 1")
    item = walkthrough.items(room)[0]
    # A good photo first in the same submission: its row must not survive the refusal either.
    response = walkthrough.record(room, item=item, photos=[("good.jpg", make_photo()), ("evil.jpg", make())])
    assert response.status_code == status, kind
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html and message in html
    assert "Overhead door closer arm" in html  # what the inspector typed is still there
    assert _counts() == (0, 0)


def test_a_request_over_the_upload_limit_gets_a_clear_413(walkthrough):
    room = walkthrough.room("Bedroom 1")
    response = walkthrough.record(room, photos=[("big.jpg", make_photo() + b"\0" * (21 * 2**20))])
    assert response.status_code == 413
    assert "larger than 20 MB" in response.get_data(as_text=True)
    assert _counts() == (0, 0)


def test_a_hostile_photo_added_to_a_point_is_refused_and_the_point_is_unchanged(walkthrough):
    room = walkthrough.room("Bedroom 1")
    walkthrough.record(room, photos=[("good.jpg", make_photo())])
    finding_id = db.session.scalar(select(Finding.id))
    response = walkthrough.auth.post("/photos/add", {"finding_id": finding_id,
                                                     "photo": (io.BytesIO(b"<svg></svg>"), "x.jpg")},
                                     page=f"/ligature-points/{finding_id}", content_type="multipart/form-data")
    assert response.status_code == 415 and "not a photo we can read" in response.get_data(as_text=True)
    assert _counts() == (1, 1)
