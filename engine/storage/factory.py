"""The process's storage from its settings, and the storage a session's services use."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine.config import Settings
from engine.runtime import runtime_of
from engine.storage.base import Storage, StorageError
from engine.storage.local import LocalStorage

BACKENDS = ("local", "s3")


def build_storage(settings: Settings) -> Storage:
    """ALUR_STORAGE=local (the default: ALUR_UPLOAD_DIR) or s3 (ALUR_S3_*). Building
    reaches nothing; `check()` does (create_app calls it at start)."""
    backend = (settings.storage_backend or "local").strip().lower()
    if backend == "local":
        return LocalStorage(settings.upload_dir)
    if backend == "s3":
        from engine.storage.s3 import S3Storage  # boto3 is imported only when used

        return S3Storage.from_settings(settings)
    raise StorageError(f"ALUR_STORAGE must be one of {', '.join(BACKENDS)}, not {backend!r}")


def storage_of(session: Session, folder: Path | str | None = None) -> Storage:
    """The runtime's storage; a local folder instead when a caller names one (tools and
    tests that keep documents in a folder of their own)."""
    if folder is not None:
        return LocalStorage(folder)
    return runtime_of(session).storage
