"""S3-compatible object storage behind the same small interface as :class:`LocalStorage`.

``PHOTO_STORAGE=s3`` with ``S3_ENDPOINT_URL`` (empty for AWS itself), ``S3_BUCKET``,
``S3_REGION`` and the usual ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` in the
environment. Keys live under a prefix (``photos/`` or ``report-jobs/``) so one bucket holds
both stores and listing one never shows the other.

A PUT is atomic in S3 (an object appears whole or not at all) and is acknowledged only once
stored, so the crash-safety rule of local storage still holds: renditions first, then the row.
Timeouts are short and retries few: an unreachable store must turn into a prompt 503 for the
inspector, not a hung request.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from inspect_app.stores.storage import StorageUnavailable, validate_key

NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def make_client(*, endpoint_url: str | None, region: str | None, timeout: float = 5.0):
    """A boto3 S3 client (credentials from the environment, as boto3 reads them)."""
    config = BotoConfig(connect_timeout=timeout, read_timeout=max(timeout, 10.0),
                        retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"},
                        request_checksum_calculation="when_required",
                        response_checksum_validation="when_required")
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                                          config=config)


class _Body(io.RawIOBase):
    """A streaming GET body as a file object, with its length (for Content-Length)."""

    def __init__(self, body, size: int) -> None:
        self._body, self.size = body, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._body.read(len(buffer))
        except (BotoCoreError, OSError) as exc:
            raise StorageUnavailable(f"object storage read failed: {exc}") from exc
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


class S3Storage:
    """Objects in ``bucket`` under ``prefix``; one object per key."""

    def __init__(self, client, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _name(self, key: str) -> str:
        return self.prefix + validate_key(key)

    def _call(self, method: str, key: str | None = None, **kwargs):
        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in NOT_FOUND and key is not None:
                raise FileNotFoundError(key) from None
            raise StorageUnavailable(f"object storage refused {method}: {code or exc}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"object storage unreachable: {exc}") from exc

    def put(self, key: str, data: bytes) -> None:
        self._call("put_object", Key=self._name(key), Body=data, ContentType="application/octet-stream")

    def open(self, key: str) -> BinaryIO:
        response = self._call("get_object", key, Key=self._name(key))
        return io.BufferedReader(_Body(response["Body"], int(response["ContentLength"])), 1 << 16)

    def read(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def _head(self, key: str) -> dict:
        return self._call("head_object", key, Key=self._name(key))

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except FileNotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        return int(self._head(key)["ContentLength"])

    def modified(self, key: str) -> float:
        return self._head(key)["LastModified"].timestamp()

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=self._name(key))

    def keys(self) -> Iterator[str]:
        found = []
        token = None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            page = self._call("list_objects_v2", Prefix=self.prefix, **extra)
            found += [item["Key"][len(self.prefix):] for item in page.get("Contents", ())]
            if not page.get("IsTruncated"):
                break
            token = page["NextContinuationToken"]
        return iter(sorted(found))

    def ping(self) -> None:
        """Raise StorageUnavailable unless the bucket answers (the health check)."""
        self._call("head_bucket")

