"""Which function runs each kind of background job, named as "module:function".

Named rather than imported so that writing a job (inside a request) never imports the
code that runs it; the worker imports each on first use. A handler is called as
`fn(session, payload, now)` inside the job's own transaction and only flushes: the
runner commits it together with the job's removal (engine.services.jobs.run_job).

A kind may also name a failure hook, `fn(session, payload, error_text, now, next_try_at)`,
called in the transaction that records a failed attempt (next_try_at None: the job became
an incident), so the failure shows on the job's subject too (a timer: on its instance).
It locks that subject before anything else (engine.services.jobs, lock order).

`ALUR_JOB_KINDS` ("kind=module:function,...") adds kinds at start-up, for a deployment's
own jobs and for tests that run real worker processes with a job of their own.
"""

from __future__ import annotations

import os
from importlib import import_module

HANDLERS: dict[str, str] = {
    # kind: "module:function"
    "mail": "engine.services.mail:send_job",
    "mail_scan": "engine.services.notifications:scan_job",
    "mail_digest": "engine.services.notifications:digest_job",
    "timer": "engine.services.timers:run_timer_job",
    "checkpoint": "engine.services.recurring:write_checkpoint_job",
    "prune_attempts": "engine.services.recurring:prune_attempts_job",
    "storage_orphans": "engine.storage.orphans:sweep_orphans",
}

FAILURE_HOOKS: dict[str, str] = {
    "timer": "engine.services.timers:record_timer_failure",
}


def _extra_kinds(value: str) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {kind.strip(): target.strip() for kind, target in pairs}


HANDLERS.update(_extra_kinds(os.environ.get("ALUR_JOB_KINDS", "")))


def _resolve(target: str):
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def handler_of(kind: str):
    """The function for `kind`; LookupError for a kind nobody registered (an incident)."""
    target = HANDLERS.get(kind)
    if target is None:
        raise LookupError(f"no handler for job kind {kind!r}")
    return _resolve(target)


def failure_hook_of(kind: str):
    """The kind's failure hook, or None."""
    target = FAILURE_HOOKS.get(kind)
    return _resolve(target) if target else None
