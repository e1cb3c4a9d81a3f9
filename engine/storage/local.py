"""Documents in a local folder (ALUR_UPLOAD_DIR): `<root>/ab/abcdef...`, as always.

A file is written to a temporary file beside its destination, flushed to disk (fsync) and
renamed into place, then the folder is synced: a crash leaves either the whole file or a
`.tmp-*` leftover that the orphan sweep removes, never a half-written document. Several
hosts can share the folder only over a network file system; S3 is the usual way.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from engine.storage.base import (
    CHUNK,
    Storage,
    StoredFileMissing,
    StoredStream,
    checked_key,
    is_content_key,
)

TEMP_PREFIX = ".tmp-"
# what the sweep may remove besides content keys: this module's unfinished writes, and the
# spooled uploads (".upload-*" in the root) of versions before engine.storage
LEFTOVER = re.compile(r"(?:[0-9a-f]{2}/\.tmp-|\.upload-)[A-Za-z0-9_]+")
FOLDER = re.compile(r"[0-9a-f]{2}")


class LocalStorage(Storage):
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def check(self) -> None:
        """Nothing to reach: the folder is made on the first upload."""

    def _path(self, key: str) -> Path:
        """The file of `key`, never outside the root (StoredFileMissing otherwise)."""
        root = self.root.resolve()
        path = (root / checked_key(key)).resolve()
        if root not in path.parents:
            raise StoredFileMissing(key)
        return path

    def put(self, key: str, source: BinaryIO) -> None:
        target = self._path(key)
        if _touch(target):  # same content already stored: keep the one copy, fresh
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        _sync_folder(target.parent)

    def open(self, key: str) -> StoredStream:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise StoredFileMissing(key) from error
        return StoredStream(handle, os.fstat(handle.fileno()).st_size)

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except StoredFileMissing:
            return False

    def size(self, key: str) -> int | None:
        stat = self._stat(key)
        return stat.st_size if stat else None

    def modified_at(self, key: str) -> datetime | None:
        stat = self._stat(key)
        return datetime.fromtimestamp(stat.st_mtime, UTC) if stat else None

    def _stat(self, key: str) -> os.stat_result | None:
        try:
            path = self._path(key)
            return path.stat() if path.is_file() else None
        except (StoredFileMissing, OSError):
            return None

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except StoredFileMissing:
            return

    def iter_keys(self, older_than: datetime, after: str | None = None) -> Iterator[str]:
        cutoff = older_than.timestamp()
        for key in self._all_keys():
            if after is not None and key <= after:
                continue
            stat = self._stat(key)
            if stat is not None and stat.st_mtime < cutoff:
                yield key

    def _all_keys(self) -> Iterator[str]:
        """Every sweepable name in ascending order ('.' sorts before the hex digits)."""
        if not self.root.is_dir():
            return
        entries = sorted(os.scandir(self.root), key=lambda entry: entry.name)
        for entry in entries:
            if entry.is_file() and LEFTOVER.fullmatch(entry.name):
                yield entry.name
            elif entry.is_dir() and FOLDER.fullmatch(entry.name):
                for name in sorted(os.listdir(entry.path)):
                    key = f"{entry.name}/{name}"
                    if is_content_key(key) or LEFTOVER.fullmatch(key):
                        yield key


def _touch(path: Path) -> bool:
    """Mark a stored file fresh; False when there is none (or it was just swept)."""
    try:
        if path.is_file():
            os.utime(path)
            return True
    except FileNotFoundError:
        pass
    return False


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
