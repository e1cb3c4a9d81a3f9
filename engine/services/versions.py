"""The content of deployed versions, read once per process.

A version never changes after deploy, so its forms and activity metadata can be kept
in memory; a completion then costs no query and no JSON parsing for them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from engine.models import DefinitionVersion

_CACHE: OrderedDict[str, VersionContent] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 32


@dataclass(frozen=True)
class VersionContent:
    forms: dict
    activities: dict

    def form(self, key: str | None) -> dict:
        return self.forms.get(key or "") or {"components": []}


def content_of(version: DefinitionVersion) -> VersionContent:
    """Keyed by the content hash, which names the content itself (ids can be reused by a
    rolled-back deploy)."""
    key = version.content_hash
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    content = VersionContent(forms=version.forms, activities=version.activities)
    with _LOCK:
        _CACHE[key] = content
        while len(_CACHE) > _SIZE:
            _CACHE.popitem(last=False)
    return content
