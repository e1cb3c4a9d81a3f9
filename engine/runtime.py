"""The one runtime object of a process: settings, the BPMN runtime and the caches.

`create_app`, the timer worker, the CLI, the benchmarks and each test build one with
`build_runtime()` and hand it to `make_session_factory`, so it travels with every session
the process opens; services reach it with `runtime_of(session)`. Nothing here is a module
global: two runtimes (two workers, or a test that restarts) share nothing but the database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.bpmn.runtime import BpmnRuntime
from engine.caches import LruCache, WorkflowCache
from engine.config import Settings, load_settings
from engine.db import RUNTIME_KEY
from engine.signing import Signer, load_or_create
from engine.storage.base import Storage


@dataclass
class Runtime:
    settings: Settings
    bpmn: BpmnRuntime
    workflows: WorkflowCache
    versions: LruCache  # content hash -> engine.services.versions.VersionContent
    # a run's decoded event log, keyed by its chain head (engine.services.replay.logged_rows)
    histories: LruCache
    _signer: Signer | None = field(default=None, init=False, repr=False)
    _signer_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _storage: Storage | None = field(default=None, init=False, repr=False)

    @property
    def signer(self) -> Signer:
        """The server key (engine.signing), read (or made) on first use, then kept.

        Lazy so that a process that never appends (a read-only tool) needs no key file."""
        if self._signer is None:
            with self._signer_lock:
                if self._signer is None:
                    self._signer = load_or_create(self.settings.signing_key_path)
        return self._signer

    @property
    def storage(self) -> Storage:
        """Where documents' bytes live (engine.storage): ALUR_STORAGE=local, the upload
        folder, or s3, a bucket shared by every host. Built on first use, then kept."""
        if self._storage is None:
            from engine.storage.factory import build_storage

            with self._signer_lock:
                if self._storage is None:
                    self._storage = build_storage(self.settings)
        return self._storage


def build_runtime(settings: Settings | None = None, **overrides) -> Runtime:
    """A runtime with empty caches; `overrides` replace settings (workflow_cache_size=0)."""
    settings = settings or load_settings()
    if overrides:
        settings = Settings(**{**_fields(settings), **overrides})
    return Runtime(
        settings=settings,
        bpmn=BpmnRuntime(
            zone=settings.zone, max_bpmn_bytes=settings.max_bpmn_bytes, limits=settings
        ),
        workflows=WorkflowCache(settings.workflow_cache_size),
        versions=LruCache(32),
        histories=LruCache(4),
    )


def _fields(settings: Settings) -> dict:
    return {name: getattr(settings, name) for name in Settings.__dataclass_fields__}


def runtime_of(session: Session) -> Runtime:
    """The runtime of the factory that opened `session`."""
    found = session.info.get(RUNTIME_KEY)
    if found is None:
        raise RuntimeError("this session has no runtime: build its factory with one")
    return found
