"""Documents in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage...), shared by hosts.

Object `<prefix><key>` (prefix ALUR_S3_PREFIX, "documents/" by default), so a bucket can
hold other things beside. Uploads stream through boto3's transfer manager (multipart above
8 MB, one part in memory at a time); downloads stream the object's body. An object exists
whole or not at all, as S3 guarantees; unfinished multipart uploads are aborted by the
orphan sweep (`abandon_partial`). The bucket must exist: `check` says so at start.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from engine.config import Settings
from engine.storage.base import (
    Storage,
    StorageError,
    StoredFileMissing,
    StoredStream,
    checked_key,
    is_content_key,
)

MISSING = {"404", "NoSuchKey", "NotFound"}
TRANSFER = TransferConfig(multipart_threshold=8 * 1024 * 1024, max_concurrency=4)
CLIENT_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10,
                       read_timeout=60)
_LOCK = threading.Lock()
_SESSIONS: list[boto3.session.Session] = []


def _boto_session() -> boto3.session.Session:
    """One boto3 session per process (its loaded service models are reused)."""
    if not _SESSIONS:
        _SESSIONS.append(boto3.session.Session())
    return _SESSIONS[0]


class S3Storage(Storage):
    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        if not settings.s3_bucket:
            raise StorageError("ALUR_STORAGE=s3 needs ALUR_S3_BUCKET")
        with _LOCK:  # a boto3 session makes clients one at a time; later clients are quick
            client = _boto_session().client(
                "s3",
                endpoint_url=settings.s3_endpoint_url or None,
                region_name=settings.s3_region or None,
                aws_access_key_id=settings.s3_access_key or None,
                aws_secret_access_key=settings.s3_secret_key or None,
                config=CLIENT_CONFIG,
            )
        return cls(client, settings.s3_bucket, settings.s3_prefix)

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def check(self) -> None:
        """The bucket exists and these credentials may use it, or a StorageError that says
        which (the process stops at start instead of refusing uploads later)."""
        where = f"bucket {self.bucket!r} at {self.client.meta.endpoint_url}"
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            code = _code(error)
            if code in MISSING or code == "NoSuchBucket":
                raise StorageError(f"{where} does not exist; create it first") from error
            if code in {"403", "AccessDenied", "Forbidden"}:
                raise StorageError(f"{where}: access denied with these credentials") from error
            raise StorageError(f"{where} cannot be used: {error}") from error
        except BotoCoreError as error:
            raise StorageError(f"{where} cannot be reached: {error}") from error

    def _key(self, key: str) -> str:
        return self.prefix + checked_key(key)

    def put(self, key: str, source: BinaryIO) -> None:
        name = self._key(key)
        if self._head(name) is not None and self._touch(name):
            return
        self.client.upload_fileobj(source, self.bucket, name, Config=TRANSFER)

    def _touch(self, name: str) -> bool:
        """Copy the object onto itself: its bytes stay, its LastModified becomes now.
        False when it is gone meanwhile (swept): then it is uploaded again."""
        try:
            self.client.copy_object(
                Bucket=self.bucket, Key=name, CopySource={"Bucket": self.bucket, "Key": name},
                MetadataDirective="REPLACE", Metadata={"alur-stored": "1"},
            )
        except ClientError as error:
            if _code(error) in MISSING:
                return False
            raise
        return True

    def open(self, key: str) -> StoredStream:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if _code(error) in MISSING:
                raise StoredFileMissing(key) from error
            raise
        return StoredStream(found["Body"], found.get("ContentLength"))

    def _head(self, name: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _code(error) in MISSING:
                return None
            raise

    def _head_of(self, key: str) -> dict | None:
        try:
            return self._head(self._key(key))
        except StoredFileMissing:
            return None

    def exists(self, key: str) -> bool:
        return self._head_of(key) is not None

    def size(self, key: str) -> int | None:
        head = self._head_of(key)
        return head["ContentLength"] if head else None

    def modified_at(self, key: str) -> datetime | None:
        head = self._head_of(key)
        return head["LastModified"] if head else None

    def delete(self, key: str) -> None:
        try:
            name = self._key(key)
        except StoredFileMissing:
            return
        self.client.delete_object(Bucket=self.bucket, Key=name)

    def iter_keys(self, older_than: datetime, after: str | None = None) -> Iterator[str]:
        arguments = {"Bucket": self.bucket, "Prefix": self.prefix}
        if after is not None:
            arguments["StartAfter"] = self.prefix + after
        for page in self.client.get_paginator("list_objects_v2").paginate(**arguments):
            for item in page.get("Contents", ()):
                key = item["Key"][len(self.prefix):]
                if is_content_key(key) and item["LastModified"] < older_than:
                    yield key

    def abandon_partial(self, older_than: datetime) -> int:
        aborted = 0
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for upload in page.get("Uploads", ()):
                if upload["Initiated"] < older_than:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                    aborted += 1
        return aborted


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
