"""Fixtures for the storage tests: each runs once per backend (`local`, `s3`).

`runtime` replaces the one of tests/conftest.py, so the `session` fixture's services use
the backend under test through Runtime.storage, exactly as the app does. `raw` reaches the
stored files behind the interface's back (a folder, or the bucket through boto3): to see
where a file went, and to tamper with it as someone with disk or bucket access would.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from engine.runtime import build_runtime
from engine.storage.base import content_key
from tests.engine.storage import s3server


class RawFolder:
    def __init__(self, root: Path):
        self.root = root

    def names(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                      if p.is_file())

    def name_of(self, digest: str) -> str:
        return content_key(digest)

    def write(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def age(self, name: str, minutes: float) -> None:
        """Make the file look written `minutes` ago."""
        stamp = time.time() - minutes * 60
        os.utime(self.root / name, (stamp, stamp))


class RawBucket:
    def __init__(self, bucket: str, prefix: str):
        self.bucket, self.prefix, self.client = bucket, prefix, s3server.client()

    def names(self) -> list[str]:
        return s3server.object_names(self.bucket)

    def name_of(self, digest: str) -> str:
        return self.prefix + content_key(digest)

    def write(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=name, Body=data)

    def read(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()

    def age(self, name: str, minutes: float) -> None:
        pytest.skip("an S3 object's LastModified cannot be set back")


@pytest.fixture(params=["local", "s3"])
def backend(request) -> str:
    return request.param


@pytest.fixture()
def storage_overrides(backend, tmp_path) -> dict:
    if backend == "local":
        return {"storage_backend": "local", "upload_dir": tmp_path / "uploads"}
    return s3server.settings_for(s3server.new_bucket())


@pytest.fixture()
def runtime(storage_overrides):
    """The runtime the `session` fixture travels with, on the backend under test."""
    return build_runtime(**storage_overrides)


@pytest.fixture()
def storage(runtime):
    return runtime.storage


@pytest.fixture()
def raw(storage_overrides):
    if storage_overrides["storage_backend"] == "local":
        return RawFolder(Path(storage_overrides["upload_dir"]))
    return RawBucket(storage_overrides["s3_bucket"], storage_overrides["s3_prefix"])
