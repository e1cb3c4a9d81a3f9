"""The storage interface every backend implements, and the content address of a file.

Keys are relative, slash-separated names (`ab/abcdef...` for documents: the first two hex
digits of the SHA-256, then the whole digest). Writing is idempotent: the same key always
holds the same bytes, so a second `put` of a key that exists only marks it as fresh (the
orphan sweep judges by age, and a file about to be named again must not look old).
"""

from __future__ import annotations

import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

CHUNK = 1024 * 1024
KEY_LIMIT = 200
CONTENT_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}")


class StorageError(RuntimeError):
    """The storage cannot be used as configured (no such bucket, no access, bad backend):
    raised when the process starts, so it never accepts an upload it cannot keep."""


class StoredFileMissing(LookupError):
    """No stored file under this key (or the key could never name one)."""


def content_key(digest: str) -> str:
    """The key of a file whose SHA-256 is `digest` (hex): `ab/abcdef...`."""
    return f"{digest[:2]}/{digest}"


def is_content_key(key: str) -> bool:
    return CONTENT_KEY.fullmatch(key) is not None


def checked_key(key: str) -> str:
    """`key` if it is a plain relative name; StoredFileMissing otherwise (a key such as
    `../../etc/passwd` names nothing in any storage)."""
    parts = key.split("/") if isinstance(key, str) else []
    if (
        not parts
        or len(key) > KEY_LIMIT
        or any(part in ("", ".", "..") for part in parts)
        or any(char in key for char in "\\\x00")
    ):
        raise StoredFileMissing(key)
    return key


class StoredStream(io.RawIOBase):
    """A stored file being read: a binary stream with its `size` in bytes (None when the
    backend did not say), closed with the source it reads from."""

    def __init__(self, source, size: int | None):
        super().__init__()
        self._source = source
        self.size = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()


class Storage(ABC):
    """Where stored files live. Implementations: local.LocalStorage, s3.S3Storage."""

    @abstractmethod
    def check(self) -> None:
        """Raise StorageError when this storage cannot be used (called at start)."""

    @abstractmethod
    def put(self, key: str, source: BinaryIO) -> None:
        """Store `source`'s bytes under `key`, whole or not at all; a key that exists
        already is kept as it is and only marked fresh (content addressing)."""

    @abstractmethod
    def open(self, key: str) -> StoredStream:
        """The stored bytes as a stream (close it); StoredFileMissing when there are none."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int | None:
        """The stored file's size in bytes, None when there is none."""

    @abstractmethod
    def modified_at(self, key: str) -> datetime | None:
        """When the file was stored (or last marked fresh), tz-aware; None if missing."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file; nothing happens when there is none."""

    @abstractmethod
    def iter_keys(self, older_than: datetime, after: str | None = None) -> Iterator[str]:
        """The keys this storage may sweep (its content keys, and leftovers of writes that
        never finished) last written before `older_than`, in ascending key order, starting
        after `after` when given."""

    def abandon_partial(self, older_than: datetime) -> int:
        """Drop unfinished writes begun before `older_than` that `iter_keys` cannot see
        (S3 multipart uploads); how many. Nothing to do for most backends."""
        return 0

    def read_bytes(self, key: str) -> bytes:
        """The whole file: for tests and small files only; streams elsewhere."""
        with self.open(key) as stream:
            return stream.read()
