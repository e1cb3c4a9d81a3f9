"""The shared conformance set of hostile uploads: refused, quickly, with nothing run.

Each file is tested twice: our copy in tests/fixtures/hostile always, and the original in
../shared/conformance when that checkout is present, so a change there is noticed here.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.expressions import RestrictedScriptEngine
from engine.bpmn.parser import build_specs, load_xml, validate_diagram
from engine.errors import InvalidDiagramError

ZONE = ZoneInfo("Asia/Jakarta")

FIXTURES = Path(__file__).parents[2] / "fixtures" / "hostile"
SHARED = Path(__file__).parents[3] / ".." / "shared" / "conformance"
MAX_BYTES = 1_000_000


def validate(data: bytes):
    return validate_diagram(data, lane_roles={}, form_keys=set(), max_bytes=MAX_BYTES)


def problems_of(data: bytes) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidDiagramError) as caught:
        validate(data)
    assert caught.value.code == "invalid_diagram"
    problems = caught.value.details["problems"]
    return [(problem["element_id"], problem["message"]) for problem in problems]


def hostile_dirs() -> list:
    shared = SHARED / "hostile"
    skip = pytest.mark.skip(reason=f"../shared not present: {shared}")
    return [
        pytest.param(FIXTURES, id="fixtures"),
        pytest.param(shared, id="shared", marks=() if shared.is_dir() else skip),
    ]


@pytest.fixture
def no_processes(monkeypatch):
    """Fail loudly if anything tries to start a process while a hostile file is handled."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a process was started: {args!r}")

    for module, name in [(os, "system"), (subprocess, "Popen"), (os, "posix_spawn"),
                         (os, "posix_spawnp"), (os, "fork"), (os, "execv"), (os, "execve")]:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, refuse)


@pytest.mark.parametrize("directory", hostile_dirs())
@pytest.mark.parametrize("name", ["xxe-external-entity.bpmn", "billion-laughs.bpmn"])
def test_entity_attacks_are_refused_quickly(directory, name):
    data = (directory / name).read_bytes()
    started = time.perf_counter()
    for attempt in (lambda: load_xml(data, max_bytes=MAX_BYTES), lambda: validate(data)):
        with pytest.raises(InvalidDiagramError) as caught:
            attempt()
        assert caught.value.code == "bpmn_doctype_forbidden"
        assert caught.value.message == (
            "BPMN files must not contain a DOCTYPE or ENTITY declaration"
        )
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("directory", hostile_dirs())
def test_script_injection_is_refused_at_deploy(directory, no_processes):
    problems = problems_of((directory / "script-injection.bpmn").read_bytes())
    assert {element_id for element_id, _ in problems} == {"evil_script", "f_evil", "f_evil2"}
    assert ("evil_script", "script tasks are not allowed") in problems
    assert ("f_evil", "function call '__import__' is not allowed") in problems
    assert ("f_evil2", "attribute access is not allowed") in problems


@pytest.mark.parametrize("directory", hostile_dirs())
def test_script_injection_cannot_run_even_past_the_linter(directory, no_processes):
    data = (directory / "script-injection.bpmn").read_bytes()
    spec, subprocesses = build_specs(load_xml(data, max_bytes=MAX_BYTES))
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=RestrictedScriptEngine(zone=ZONE))
    with pytest.raises(WorkflowTaskException, match="scripts are not allowed"):
        workflow.do_engine_steps()
    [failed] = workflow.get_tasks(state=TaskState.ERROR)
    assert failed.task_spec.bpmn_id == "evil_script"

    without_script = data.replace(b"bpmn:scriptTask", b"bpmn:manualTask")
    spec, subprocesses = build_specs(load_xml(without_script, max_bytes=MAX_BYTES))
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=RestrictedScriptEngine(zone=ZONE))
    workflow.do_engine_steps()
    [manual] = workflow.get_tasks(state=TaskState.READY, manual=True)
    manual.run()
    with pytest.raises(WorkflowTaskException, match="not allowed"):
        workflow.do_engine_steps()
