"""The storage interface behaves the same on local disk and on S3 (a real SeaweedFS on loopback)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from inspect_app.stores.s3 import S3Storage
from inspect_app.stores.storage import LocalStorage, PhotoStorage, StorageUnavailable, local_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from cluster import BUCKET, SeaweedFS  # noqa: E402

pytestmark = pytest.mark.deployment
KEY = "ab/cd/0b7e0a4c-7d3e-4a5e-9a53-1d2a3b4c5d6e-large.jpg"


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory):
    service = SeaweedFS(tmp_path_factory.mktemp("s3"))
    try:
        yield service.start()
    finally:
        service.stop()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> PhotoStorage:
    if request.param == "local":
        return LocalStorage(tmp_path / "photos")
    seaweed = request.getfixturevalue("seaweed")
    return S3Storage(seaweed.client(), BUCKET, prefix=f"contract-{tmp_path.name}/")


def test_the_same_behaviour_on_both_stores(store, tmp_path):
    assert isinstance(store, PhotoStorage)
    assert list(store.keys()) == [] and not store.exists(KEY)
    with pytest.raises(FileNotFoundError):
        store.open(KEY)
    with pytest.raises(FileNotFoundError):
        store.size(KEY)
    before = time.time() - 5
    store.put(KEY, b"old")
    store.put(KEY, b"jpeg bytes" * 1000)  # replaces whole
    store.put("ef/01/other-thumb.jpg", b"thumb")
    assert store.exists(KEY) and store.size(KEY) == 10_000
    with store.open(KEY) as stream:
        assert stream.read(4) == b"jpeg" and len(stream.read()) == 9_996
    assert store.read("ef/01/other-thumb.jpg") == b"thumb"
    assert before <= store.modified(KEY) <= time.time() + 5
    assert list(store.keys()) == ["ab/cd/0b7e0a4c-7d3e-4a5e-9a53-1d2a3b4c5d6e-large.jpg", "ef/01/other-thumb.jpg"]
    assert local_file(store, KEY, tmp_path / "cache").read_bytes() == b"jpeg bytes" * 1000
    with pytest.raises(ValueError):
        store.put("../escape.jpg", b"x")
    store.delete(KEY)
    store.delete(KEY)  # deleting a missing key is not an error
    assert list(store.keys()) == ["ef/01/other-thumb.jpg"]


def test_an_unreachable_object_store_raises_storage_unavailable():
    from inspect_app.stores.s3 import make_client

    store = S3Storage(make_client(endpoint_url="http://127.0.0.1:1", region="us-east-1", timeout=1), BUCKET)
    for call in (lambda: store.put(KEY, b"x"), lambda: store.open(KEY), lambda: list(store.keys()), store.ping):
        with pytest.raises(StorageUnavailable):
            call()
