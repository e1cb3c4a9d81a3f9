"""Which function runs each kind of background job, named as "module:function".

Named rather than imported so that writing a job (inside a request) never imports the
code that runs it; the worker imports each on first use. A handler is called as
`fn(session, payload, now)` inside the job's own transaction and only flushes: the
runner commits it together with the job's removal (engine.services.jobs.run_job).
"""

from __future__ import annotations

from importlib import import_module

HANDLERS: dict[str, str] = {
    # kind: "module:function"
}


def handler_of(kind: str):
    """The function for `kind`; LookupError for a kind nobody registered (an incident)."""
    target = HANDLERS.get(kind)
    if target is None:
        raise LookupError(f"no handler for job kind {kind!r}")
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)
