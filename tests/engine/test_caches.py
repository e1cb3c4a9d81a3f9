"""The runtime's caches: bounded, per runtime, and a workflow only for its own state token."""

from __future__ import annotations

import threading

from engine.caches import LruCache, WorkflowCache
from engine.runtime import build_runtime


def test_the_least_recently_used_entry_goes_first():
    cache: LruCache[str] = LruCache(2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # a is now the most recently used
    cache.put("c", "C")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert len(cache) == 2


def test_get_or_make_makes_only_on_a_miss():
    cache: LruCache[int] = LruCache(4)
    made = []
    for _ in range(3):
        cache.get_or_make("k", lambda: made.append(1) or 42)
    assert made == [1] and cache.get("k") == 42


def test_size_zero_keeps_nothing():
    cache: LruCache[str] = LruCache(0)
    cache.put("a", "A")
    assert not cache.enabled and cache.get("a") is None and len(cache) == 0
    assert cache.get_or_make("a", lambda: "fresh") == "fresh"


def test_a_workflow_is_handed_out_once_and_only_for_its_token():
    cache = WorkflowCache(8)
    live = object()
    cache.put(7, "token-1", live)
    assert cache.take(7, "token-2") is None  # another save happened since: stale
    assert cache.take(7, "token-1") is None  # and the stale entry was dropped
    cache.put(7, "token-1", live)
    assert cache.take(7, "token-1") is live
    assert cache.take(7, "token-1") is None  # taken out while in use


def test_two_threads_never_get_the_same_workflow():
    cache = WorkflowCache(8)
    cache.put(1, "t", object())
    got = []
    barrier = threading.Barrier(8)

    def take() -> None:
        barrier.wait()
        got.append(cache.take(1, "t"))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(item is not None for item in got) == 1


def test_each_runtime_has_caches_of_its_own():
    first, second = build_runtime(), build_runtime()
    first.workflows.put(1, "t", object())
    first.versions.put("hash", "content")
    assert second.workflows.take(1, "t") is None and second.versions.get("hash") is None
    assert build_runtime(workflow_cache_size=0).workflows.enabled is False
