"""The content of deployed versions, read once per process: forms, activities, specs.

A version never changes after deploy, so its forms, activity metadata and parsed specs
are kept in the runtime's caches, keyed by the content hash (which names the content
itself; ids can be reused by a rolled-back deploy). Every reader of a version's content
goes through here, so a completion costs no query and no JSON parsing for them, and no
page loads the diagram text to show a form.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.bpmn.runtime import Specs
from engine.models import DefinitionVersion
from engine.runtime import runtime_of
from engine.sop import SopRules

START_KEY = "__start__"
EMPTY_FORM = {"components": []}


@dataclass(frozen=True)
class VersionContent:
    forms: dict
    activities: dict
    rules: SopRules

    def form(self, key: str | None) -> dict:
        return self.forms.get(key or "") or EMPTY_FORM

    def activity(self, element_id: str) -> dict:
        return self.activities.get(element_id) or {}

    @property
    def start(self) -> dict:
        """The main process's start event: who may start a run, with which form."""
        return self.activities.get(START_KEY) or {}


def content_of(session: Session, version: DefinitionVersion) -> VersionContent:
    def read() -> VersionContent:
        return VersionContent(
            forms=version.forms,
            activities=version.activities,
            rules=SopRules.from_dict(version.rules),
        )

    return runtime_of(session).versions.get_or_make(version.content_hash, read)


def specs_of(session: Session, version: DefinitionVersion) -> Specs:
    """The version's parsed specs; the diagram text is loaded only on a cache miss."""
    return runtime_of(session).bpmn.specs_for(version.content_hash, lambda: version.bpmn_xml)


def diagram_of(version: DefinitionVersion) -> str:
    """The BPMN text as deployed (for the diagram viewer and downloads)."""
    return version.bpmn_xml
