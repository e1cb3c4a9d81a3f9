"""Where documents' bytes live: one small interface (base.Storage), two backends.

`local` keeps them in a folder (ALUR_UPLOAD_DIR, the layout the app always had); `s3` in an
S3-compatible bucket (ALUR_S3_*), so several web hosts share them. Either way a file is
stored under its content address (`ab/abcdef...`, from its SHA-256), is written before the
row that names it commits, and a file no row names after `orphan_grace_minutes` is swept
by the worker (engine.storage.orphans). The runtime holds the process's one storage
(`Runtime.storage`, built by engine.storage.factory from the settings).
"""

from __future__ import annotations

from engine.storage.base import (
    Storage,
    StorageError,
    StoredFileMissing,
    content_key,
    is_content_key,
)

__all__ = ["Storage", "StorageError", "StoredFileMissing", "content_key", "is_content_key"]
