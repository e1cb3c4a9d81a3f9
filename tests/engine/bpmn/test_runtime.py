"""The SpiffWorkflow wrapper on its own: specs, restore, change detection and compaction.

No database here: workflows are started, saved to parts and restored in memory, the way
two processes would hand one over through the database.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import runtime, serializer
from engine.bpmn.parser import build_specs, load_xml
from engine.bpmn.runtime import BpmnRuntime
from engine.errors import StateFormatError
from tests.support import SOP_BPMN, answers

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bpmn"
OPDS = ["DISDIKBUD", "DINKES", "DPUPR"]


def make_runtime() -> BpmnRuntime:
    return BpmnRuntime(zone=ZoneInfo("Asia/Jakarta"), max_bpmn_bytes=2 * 1024 * 1024)


def ready(live, element_id: str) -> list:
    """READY user tasks of a BPMN element (a multi-instance's children share its id)."""
    return [
        t
        for t in live.workflow.get_tasks(state=TaskState.READY)  # subprocesses included
        if t.task_spec.bpmn_id == element_id and t.task_spec.manual
    ]


def complete(live, element_id: str, data: dict | None = None) -> None:
    task = ready(live, element_id)[0]
    runtime.complete_user_task(live, task, data or {})


def save_and_restore(live, into: BpmnRuntime, xml: str):
    """What another process makes of the saved parts: its own specs, parsed anew."""
    parts, removed = runtime.save_parts(live)
    assert not removed
    texts = {part.key: part.text for part in parts}
    return into.load(texts, into.parse_specs(xml), NOW)


def sop_to_row_10(bpmn: BpmnRuntime, xml: str):
    live = bpmn.start(bpmn.parse_specs(xml), answers("mulai-pelaksanaan"), NOW)
    for row in range(1, 10):
        data = answers(_form_of(row), **({"opd_peserta": OPDS} if row == 7 else {}))
        complete(live, f"Task_{row:02d}", data)
    return live


def _form_of(row: int) -> str:
    return {
        1: "perencanaan-tujuan",
        2: "perencanaan-indikator",
        3: "perencanaan-target",
        4: "perencanaan-rencana-aksi",
        5: "perencanaan-presentasi",
        6: "persetujuan-rencana",
        7: "surat-edaran",
        8: "undangan-sosialisasi",
        9: "laporan-sosialisasi",
    }[row]


def test_a_multi_instance_started_in_one_process_completes_in_another():
    xml = SOP_BPMN.read_text()
    live = sop_to_row_10(make_runtime(), xml)
    assert len(ready(live, "Task_10")) == len(OPDS)
    restored = save_and_restore(live, make_runtime(), xml)
    for _ in OPDS:
        complete(restored, "Task_10", answers("pemetaan-paket"))
    assert len(ready(restored, "Task_11")) == len(OPDS)


def test_prepared_specs_carry_the_wiring_a_freshly_parsed_one_lacks():
    """Why prepare_spec exists: the parser's own specs connect a multi-instance's children
    only when a running workflow creates them, so a restored workflow never merges them."""
    root = load_xml(SOP_BPMN.read_bytes(), max_bytes=2 * 1024 * 1024)
    parsed, _ = build_specs(root)
    prepared = make_runtime().parse_specs(SOP_BPMN.read_text()).process
    for spec in (parsed, prepared):
        multi = spec.task_specs["Task_10"]
        child = spec.task_specs[multi.task_spec]
        assert child.completed_event.is_connected(multi.merge_child) is (spec is prepared)


def test_specs_are_parsed_once_per_content_hash():
    bpmn, calls = make_runtime(), []
    xml = SOP_BPMN.read_text()

    def read() -> str:
        calls.append(1)
        return xml

    first = bpmn.specs_for("hash-1", read)
    assert bpmn.specs_for("hash-1", read) is first and len(calls) == 1
    assert bpmn.specs_for("hash-2", read) is not first and len(calls) == 2


def test_nothing_counts_as_changed_right_after_a_load():
    xml = SOP_BPMN.read_text()
    restored = save_and_restore(sop_to_row_10(make_runtime(), xml), make_runtime(), xml)
    assert runtime.changed_tasks(restored) == []
    assert runtime.save_parts(restored) == ([], set())


def test_timestamps_from_a_clock_ahead_do_not_make_tasks_look_changed():
    xml = SOP_BPMN.read_text()
    live = sop_to_row_10(make_runtime(), xml)
    parts, _ = runtime.save_parts(live)
    texts = {}
    for part in parts:
        state = json.loads(part.text)
        for task in state["tasks"].values():
            task["last_state_change"] += 86_400 * 365  # a year in the future
        texts[part.key] = json.dumps(state)
    bpmn = make_runtime()
    restored = bpmn.load(texts, bpmn.parse_specs(xml), NOW)
    assert runtime.changed_tasks(restored) == []
    complete(restored, "Task_10", answers("pemetaan-paket"))
    changed = {t.task_spec.bpmn_id for t in runtime.changed_tasks(restored)}
    assert "Task_10" in changed and "Task_09" not in changed
    assert runtime.changed_ready_user_tasks(runtime.changed_tasks(restored)) == []


def test_a_save_writes_only_the_parts_that_changed():
    xml = SOP_BPMN.read_text()
    live = sop_to_row_10(make_runtime(), xml)
    for _ in OPDS:
        complete(live, "Task_10", answers("pemetaan-paket"))
    runtime.mark_saved(live)
    opd_parts = set(serializer.live_part_keys(live.workflow)) - {serializer.TOP_PART}
    assert len(opd_parts) == len(OPDS) + 1  # the period and one part per OPD
    task = ready(live, "Task_11")[0]
    runtime.complete_user_task(live, task, answers("pelaksanaan-rencana-aksi"))
    written, removed = runtime.save_parts(live)
    assert [p.key for p in written] == [str(task.workflow.parent_task_id)] and not removed


def test_unknown_formats_and_orphaned_parts_are_refused():
    with pytest.raises(StateFormatError) as refused:
        serializer.check_formats([serializer.FORMAT, "alur-parts-2+spiff-1.5"])
    assert refused.value.details["formats"] == ["alur-parts-2+spiff-1.5"]
    serializer.check_formats([serializer.FORMAT])
    xml = SOP_BPMN.read_text()
    live = sop_to_row_10(make_runtime(), xml)
    for _ in OPDS:
        complete(live, "Task_10", answers("pemetaan-paket"))
    parts, _ = runtime.save_parts(live)
    texts = {p.key: p.text for p in parts}
    period = next(p.key for p in parts if p.parent_key == serializer.TOP_PART)
    del texts[period]  # the OPDs' parts now hang from nothing
    bpmn = make_runtime()
    with pytest.raises(StateFormatError) as orphaned:
        bpmn.load(texts, bpmn.parse_specs(xml), NOW)
    assert orphaned.value.code == "state_part_orphaned"


def _parallel_to_period_2(bpmn: BpmnRuntime):
    xml = (FIXTURES / "period-beside-parallel-branch.bpmn").read_text()
    live = bpmn.start(bpmn.parse_specs(xml), {}, NOW)
    complete(live, "Task_Work", answers("pelaksanaan-rencana-aksi"))
    complete(live, "Task_Decide", {"keputusan_periode": "b"})
    periods = [t for t in live.workflow.get_tasks() if t.task_spec.name == "Call_Period"]
    return live, next(t for t in periods if t.state == TaskState.STARTED)


def test_compaction_keeps_a_live_task_beside_the_period():
    live, period = _parallel_to_period_2(make_runtime())
    before = set(live.workflow.tasks)
    cut = runtime.compact_history(live, period)
    assert cut.dropped == 0 and "Task_Side" in cut.blocked_by
    assert set(live.workflow.tasks) == before
    complete(live, "Task_Side", answers("pelaksanaan-rencana-aksi"))  # still there, still runs


def test_compaction_cuts_everything_above_a_period_with_nothing_beside_it():
    xml = SOP_BPMN.read_text()
    live = sop_to_row_10(make_runtime(), xml)
    for _ in OPDS:
        complete(live, "Task_10", answers("pemetaan-paket"))
    period = next(t for t in live.workflow.get_tasks() if t.task_spec.name == "Call_Periode")
    cut = runtime.compact_history(live, period)
    assert cut.dropped > 10 and not cut.blocked_by
    assert period.parent is live.workflow.task_tree
    assert runtime.compact_history(live, period).dropped == 0  # nothing left to cut


def test_compaction_keeps_the_boundary_events_of_the_period():
    xml = (FIXTURES / "period-with-boundary-timer.bpmn").read_text()
    bpmn = make_runtime()
    live = bpmn.start(bpmn.parse_specs(xml), {}, NOW)
    complete(live, "Task_Work", answers("pelaksanaan-rencana-aksi"))
    complete(live, "Task_Decide", {"keputusan_periode": "b"})
    period = next(
        t
        for t in live.workflow.get_tasks()
        if t.task_spec.name == "Call_Period" and t.state == TaskState.STARTED
    )
    cut = runtime.compact_history(live, period)
    assert cut.dropped > 0 and not cut.blocked_by
    waiting = [t.task_spec.name for t in live.workflow.get_tasks(state=TaskState.WAITING)]
    assert "Deadline" in waiting
    assert runtime.next_timer_due(live) == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
