"""The auditor's replay (engine.services.replay) against a run recorded while it was driven.

The run: a revision at row 6, three OPDs, two reporting periods, and two late steps (row 7,
and one OPD's row 11 in the first period). After every step the test records, from the
task table and the diagram view (never from the log), which tasks are open and which
timers are waited on, and the data it submitted; the replay, computed from the log alone,
must agree at every event.
"""

from __future__ import annotations

import copy
import io
from collections import Counter
from datetime import date, timedelta

import pytest

from engine.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from engine.models import ProcessInstance
from engine.runtime import runtime_of
from engine.services import (
    comments,
    deployments,
    diagramviews,
    documents,
    replay,
    replay_graph,
    tasks,
    timers,
)
from tests.support import (
    PLANNING,
    SOP_KEY,
    actor_for,
    answers,
    open_tasks,
    run_rows,
    start_sop,
    user,
)

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OPDS = ("DINKES", "DISDIKBUD", "DPUPR")
LATE_OPD = "DINKES"
REVISION_NOTE = "Target efisiensi terlalu rendah"


class Recorder:
    """Drives the run one service call at a time and records, after each, the event count,
    the open tasks and waited-on timers as (element, OPD), and the data submitted so far."""

    def __init__(self, session, now, tmp_path):
        self.session, self.now, self.tmp_path = session, now, tmp_path
        self.snapshots: dict[int, tuple[set, dict]] = {0: (set(), {"process": {}, "opd": {}})}
        self.instance = start_sop(session, now)
        self.id = self.instance.id
        self.data = {"process": copy.deepcopy(self.instance.data), "opd": {}}
        self.snap()

    def snap(self) -> None:
        instance = self.session.get(ProcessInstance, self.id)
        view = diagramviews.describe_diagram(self.session, user(self.session, "auditor"),
                                             self.id)
        waiting = {(row.timer_id, row.opd_code) for row in view.opd_rows
                   if row.state == diagramviews.STATE_WAITING}
        tasks_open = {(t.element_id, t.opd.code if t.opd else None)
                      for t in open_tasks(self.session, self.id)}
        self.snapshots[instance.event_count] = (tasks_open | waiting, copy.deepcopy(self.data))

    def complete(self, element_id: str, late_for: dict | None = None, **overrides) -> None:
        """Every open task of a row, one snapshot each; `late_for` maps OPD -> moment."""
        for task in open_tasks(self.session, self.id, element_id):
            opd = task.opd.code if task.opd else None
            when = (late_for or {}).get(opd, self.now)
            done = tasks.complete_task(self.session, actor_for(self.session, task), task.id,
                                       answers(task.form_key, **overrides), when)
            scope = self.data["process"] if opd is None else self.data["opd"].setdefault(opd,
                                                                                          {})
            scope.update(copy.deepcopy(done.data))
            self.snap()

    def fire_timers(self, when) -> None:
        assert timers.fire_instance_timers(self.session, self.id, when) == len(OPDS)
        self.now = when
        self.snap()


def drive(session, now, tmp_path) -> Recorder:
    rec = Recorder(session, now, tmp_path)
    for row in ("Task_01", "Task_02", "Task_03", "Task_04", "Task_05"):
        rec.complete(row)
    rec.complete("Task_06", keputusan_rencana="perbaiki", catatan_perbaikan=REVISION_NOTE)
    for row in ("Task_01", "Task_02", "Task_03", "Task_04", "Task_05", "Task_06"):
        rec.complete(row)
    rec.now = now + timedelta(days=3)  # Thursday: row 7 was due on Tuesday
    for row in ("Task_07", "Task_08", "Task_09", "Task_10"):
        rec.complete(row)
    _evidence(rec)
    rec.complete("Task_11", late_for={LATE_OPD: rec.now + timedelta(days=7)})
    _period_end(rec, decision="a", next_end="2026-02-27")
    rec.complete("Task_17a")
    rec.complete("Task_11")
    _period_end(rec, decision="c", next_end=None)
    rec.complete("Task_17c")
    return rec


def _evidence(rec: Recorder) -> None:
    """A document and a comment on one OPD's row 11 (each a step of its own)."""
    [task] = [t for t in open_tasks(rec.session, rec.id, "Task_11") if t.opd.code == "DPUPR"]
    pj = actor_for(rec.session, task)
    documents.add_document(rec.session, pj, task.id, "Bukti reviu HPS.pdf",
                           io.BytesIO(PDF_BYTES), rec.now, storage_dir=rec.tmp_path,
                           max_bytes=1 << 20)
    rec.snap()
    comments.add_comment(rec.session, pj, task.id, "Reviu HPS selesai", rec.now)
    rec.snap()


def _period_end(rec: Recorder, decision: str, next_end: str | None) -> None:
    rec.fire_timers(rec.instance.next_due_at + timedelta(hours=2))
    for row in ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16"):
        rec.complete(row)
    overrides = {"keputusan_periode": decision, "akhir_periode": next_end}
    if decision == "a":
        overrides["rekomendasi_disetujui"] = "Perkuat reviu HPS"
    rec.complete("Task_17", **overrides)


@pytest.fixture()
def driven(session, now, tmp_path):
    rec = drive(session, now, tmp_path)
    auditor = user(session, "auditor")
    moment = rec.now + timedelta(days=1)
    whole = replay.history_of(session, auditor, rec.id, moment)
    return rec, auditor, moment, whole


def as_pairs(tokens: list[dict]) -> set:
    return {(t["element_id"], t["opd"]) for t in tokens}


def test_history_at_every_event_equals_the_recording(session, driven):
    rec, auditor, moment, whole = driven
    n = whole["event_count"]
    assert n == rec.session.get(ProcessInstance, rec.id).event_count == max(rec.snapshots)
    bounds = sorted(rec.snapshots)
    data_events = {e["seq"] for e in whole["events"]
                   if e["type"] in ("instance_started", "task_completed")}
    for k in range(1, n + 1):
        at = replay.history_until(session, auditor, rec.id, k, moment)
        assert at["event"] == whole["events"][k - 1]
        assert at["changes"] == whole["events"][k - 1]["changes"]
        if k in rec.snapshots:
            expected_tokens, expected_data = rec.snapshots[k]
            assert as_pairs(at["tokens"]) == expected_tokens, k
            assert at["data"] == expected_data, k
        else:
            _check_inside_a_step(rec, bounds, data_events, k, at)
    assert at["flows"] == whole["flows"]
    assert at["tokens"] == whole["final"]["tokens"] == []
    assert at["data"] == whole["final"]["data"] == rec.snapshots[n][1]
    assert at["passes"] == {k: a["passes"] for k, a in whole["activities"].items()
                            if a["passes"]}


def _check_inside_a_step(rec, bounds, data_events, k, at) -> None:
    """Between two recordings (one service call made several events): the tokens are
    those open before or after it, at least those open throughout; the data is the one
    before until the step's completion event, the one after from it on."""
    before = max(b for b in bounds if b < k)
    after = min(b for b in bounds if b > k)
    tokens_before, data_before = rec.snapshots[before]
    tokens_after, data_after = rec.snapshots[after]
    tokens = as_pairs(at["tokens"])
    assert tokens_before & tokens_after <= tokens <= tokens_before | tokens_after, k
    changed = any(before < seq <= k for seq in data_events)
    assert at["data"] == (data_after if changed else data_before), k


def test_badges_count_every_pass(driven):
    _, _, _, whole = driven
    passes = {key: activity["passes"] for key, activity in whole["activities"].items()}
    assert [passes[f"Task_0{row}"] for row in range(1, 7)] == [2] * 6  # the revision at 6
    assert [passes[f"Task_0{row}"] for row in range(7, 10)] == [1, 1, 1]
    assert passes["Task_10"] == len(OPDS)  # one per OPD
    assert passes["Call_Periode"] == 2 and passes["Call_OPD"] == 2 * len(OPDS)
    assert passes["Task_11"] == passes["Task_12"] == 2 * len(OPDS)
    assert [passes[f"Task_{row}"] for row in range(13, 18)] == [2] * 5
    assert passes["Task_17a"] == passes["Task_17c"] == 1
    first = whole["activities"]["Task_01"]
    assert first["name"] == "1. Mendefinisikan tujuan PBJ dan area strategis"
    assert (first["sop_step"], first["waktu"]) == ("1", 5)
    assert [p["state"] for p in first["passes_detail"]] == ["completed", "completed"]


def test_flows_are_counted_as_taken(driven):
    _, _, _, whole = driven
    flows = whole["flows"]
    assert flows["F0"] == 1
    assert [flows[f"F{i}"] for i in range(1, 7)] == [2] * 6  # rows 1-6, twice
    assert (flows["F6b"], flows["F6a"]) == (1, 1)  # perbaiki once, then setujui
    assert [flows[f] for f in ("F7", "F8", "F9", "F10")] == [1] * 4  # row 10: once for all
    assert (flows["Fm"], flows["Fc"]) == (2, 2)
    assert (flows["F17a"], flows["F17b"], flows["F17c"]) == (1, 0, 1)
    assert (flows["F17a2"], flows["F17c2"]) == (1, 1)
    assert [flows[f] for f in ("P0", "P1", "P13", "P14", "P15", "P16", "P17")] == [2] * 7
    assert [flows[f] for f in ("O0", "O1", "O2", "O3")] == [2 * len(OPDS)] * 4
    taken = Counter(f for e in whole["events"] for f in e["flows_taken"])
    assert {f: c for f, c in flows.items() if c} == dict(taken)


def test_late_steps_are_marked(driven):
    _, _, _, whole = driven
    activities = whole["activities"]
    row7 = activities["Task_07"]
    assert (row7["late_passes"], row7["passes_detail"][0]["days_late"]) == (1, 2)
    assert row7["passes_detail"][0]["due_on"] == "2026-01-06"
    assert activities["Task_11"]["late_passes"] == 1
    late_events = [(e["element_id"], e["opd"], e["period_no"]) for e in whole["events"]
                   if e["late"]]
    assert late_events == [("Task_07", None, 0), ("Task_11", LATE_OPD, 1)]
    late_work = [(w["element_id"], w["opd"], w["period_no"]) for w in whole["opd_work"]
                 if w["late"]]
    assert late_work == [("Task_11", LATE_OPD, 1)]
    assert {a for a, v in activities.items() if v["late_passes"]} == {"Task_07", "Task_11"}


def test_opd_work_lists_each_opd_per_period(driven):
    _, _, _, whole = driven
    work = whole["opd_work"]
    assert len(work) == len(OPDS) * (1 + 2 + 2)  # row 10 once, rows 11 and 12 per period
    keys = [(w["period_no"], w["sop_step"], w["opd"]) for w in work]
    # by period, row, then OPD name (Kesehatan, Pekerjaan Umum, Pendidikan)
    assert keys[:4] == [(0, "10", "DINKES"), (0, "10", "DPUPR"), (0, "10", "DISDIKBUD"),
                        (1, "11", "DINKES")]
    assert {w["opd_name"] for w in work} == {"Dinas Kesehatan", "Dinas Pendidikan dan "
                                             "Kebudayaan", "Dinas Pekerjaan Umum dan "
                                             "Penataan Ruang"}


def test_the_revision_event_shows_what_changed(driven):
    rec, _, _, whole = driven
    [revision, approval] = [e for e in whole["events"]
                            if e["type"] == "task_completed" and e["element_id"] == "Task_06"]
    changes = {c["key"]: (c["scope"], c["before"], c["after"]) for c in revision["changes"]}
    assert changes["keputusan_rencana"] == (None, None, "perbaiki")
    assert changes["catatan_perbaikan"] == (None, None, REVISION_NOTE)
    assert revision["submitted"]["catatan_perbaikan"] == REVISION_NOTE
    assert revision["actor"]["name"] == user(rec.session, "kepala").full_name
    assert (revision["lane"], revision["role"], revision["sop_step"]) == (
        "Kepala UKPBJ", "kepala_ukpbj", "6")
    again = {c["key"]: (c["before"], c["after"]) for c in approval["changes"]}
    assert again["keputusan_rencana"] == ("perbaiki", "setujui")
    assert again["catatan_perbaikan"] == (REVISION_NOTE, None)
    assert [f for e in whole["events"] if e["element_id"] == "GW_06"
            for f in e["flows_taken"]] == ["F6b", "F6a"]


def test_opd_answers_stay_in_their_opd_scope(driven):
    _, _, _, whole = driven
    opd_data = whole["final"]["data"]["opd"]
    assert sorted(opd_data) == sorted(OPDS)
    assert "laporan" in opd_data["DINKES"] and "laporan" not in whole["final"]["data"]["process"]
    [row11] = [e for e in whole["events"] if e["type"] == "task_completed"
               and e["element_id"] == "Task_11" and e["opd"] == "DPUPR"][:1]
    assert {c["scope"] for c in row11["changes"]} == {"DPUPR"}
    assert row11["opd_name"] == "Dinas Pekerjaan Umum dan Penataan Ruang"


def test_documents_comments_and_timers_in_the_timeline(driven):
    _, _, _, whole = driven
    [document] = [e for e in whole["events"] if e["type"] == "document_added"]
    assert document["documents"][0]["filename"] == "Bukti reviu HPS.pdf"
    assert document["documents"][0]["size"] == len(PDF_BYTES)
    assert document["opd"] == "DPUPR" and document["label"] == "Supporting document uploaded"
    [comment] = [e for e in whole["events"] if e["type"] == "comment_added"]
    assert comment["comment"] == "Reviu HPS selesai"
    fired = [e for e in whole["events"] if e["type"] == "timer_fired"]
    assert len(fired) == 2 * len(OPDS)
    assert all(len(e["tokens_removed"]) == 1 and e["opd"] in OPDS for e in fired)
    assert fired[0]["element_name"] == "Akhir periode pelaporan"
    started = whole["events"][0]
    assert started["type"] == "instance_started" and started["flows_taken"] == ["F0"]
    assert started["submitted"] == answers("mulai-pelaksanaan")
    assert whole["instance"]["status"] == "completed"
    assert whole["instance"]["version"]["definition_key"] == "sop_pengelolaan_kinerja"


def test_an_open_pass_is_measured_to_now(session, now):
    instance = start_sop(session, now)
    auditor = user(session, "auditor")
    later = now + timedelta(days=10)  # Thursday 15 January: row 1 was due on the 12th
    whole = replay.history_of(session, auditor, instance.id, later)
    [open_pass] = whole["activities"]["Task_01"]["passes_detail"]
    assert open_pass["state"] == "open" and open_pass["ended_at"] is None
    assert (open_pass["days"], open_pass["late"], open_pass["days_late"]) == (8, True, 3)
    assert open_pass["due_on"] == date(2026, 1, 12).isoformat()
    created = whole["events"][1]
    assert created["type"] == "task_created" and created["late"] is True
    assert replay.history_until(session, auditor, instance.id, 2, later)["event"] == created
    on_time = replay.history_of(session, auditor, instance.id, now)
    assert on_time["events"][1]["late"] is False
    assert [t["key"] for t in on_time["final"]["tokens"]] == [
        f"task:{open_tasks(session, instance.id)[0].id}"]


def test_only_audit_readers_and_known_runs_and_steps(session, now):
    instance = start_sop(session, now)
    for username in ("auditor", "admin", "kepala"):
        assert replay.history_of(session, user(session, username), instance.id, now)
    for username in ("pj.dinkes", "tim1"):
        with pytest.raises(PermissionDeniedError):
            replay.history_of(session, user(session, username), instance.id, now)
        with pytest.raises(PermissionDeniedError):
            replay.history_until(session, user(session, username), instance.id, 1, now)
    auditor = user(session, "auditor")
    with pytest.raises(NotFoundError):
        replay.history_of(session, auditor, instance.id + 1000, now)
    for k in (0, -1, instance.event_count + 1):
        with pytest.raises(InvalidInputError) as refused:
            replay.history_until(session, auditor, instance.id, k, now)
        assert refused.value.code == "history_step_out_of_range"
        assert refused.value.details["max"] == instance.event_count


def test_each_flow_of_the_sop_has_the_event_that_proves_it(session):
    graph = replay_graph.graph_of(session, deployments.latest_version(session, SOP_KEY))
    assert graph.departures["StartEvent_1"] == ("F0",)  # the run's start
    assert graph.departures["Task_06"] == ("F6",) and graph.departures["Timer_12"] == ("O2",)
    assert graph.departures["Call_Periode"] == ("Fc",)  # period_completed
    assert graph.choices[("GW_06", "Task_01")] == "F6b"
    assert graph.choices[("GW_17", "GW_merge")] == "F17b"
    assert graph.arrivals == {"Task_11": ("O0",), "Task_13": ("P1",)}  # after unlogged starts
    assert graph.call_starts == {"Call_Periode": ("P0",)}  # the period's start event
    assert graph.batched == {"Task_10"}  # row 10 leaves once every OPD is done
    assert graph.lanes["Timer_12"] == "Penanggung Jawab Kinerja"
    proven = {*(f for flows in graph.departures.values() for f in flows),
              *(f for flows in graph.arrivals.values() for f in flows),
              *(f for flows in graph.call_starts.values() for f in flows),
              *graph.choices.values()}
    assert proven == set(graph.flows)  # every flow of the SOP can be counted


def test_the_decoded_log_is_kept_per_chain_head(session, now):
    """Stepping through a run reads its log once; a new event moves the head, and with it
    the cache's key, so the next history holds that event."""
    instance = start_sop(session, now)
    auditor = user(session, "auditor")
    first = replay.history_of(session, auditor, instance.id, now)
    kept = runtime_of(session).histories.get(replay.log_key(instance))
    assert kept is not None and len(kept) == first["event_count"]
    assert replay.history_until(session, auditor, instance.id, 2, now)["k"] == 2
    task = open_tasks(session, instance.id)[0]
    comments.add_comment(session, actor_for(session, task), task.id, "Catatan baru", now)
    after = replay.history_of(session, auditor, instance.id, now)
    assert after["event_count"] == first["event_count"] + 1
    assert after["events"][-1]["comment"] == "Catatan baru"
    assert replay.history_until(session, auditor, instance.id, after["event_count"],
                                now)["event"]["type"] == "comment_added"


def test_stepping_forward_reads_only_the_events_not_yet_kept(session, now):
    """The first until=k keeps events 1..k; a later step beyond it reads only the rest, and
    a step back reads nothing."""
    instance = start_sop(session, now)
    run_rows(session, instance.id, PLANNING[:3], now)
    auditor, cache = user(session, "auditor"), runtime_of(session).histories
    replay.history_until(session, auditor, instance.id, 3, now)
    assert len(cache.get(replay.log_key(instance))) == 3
    late = replay.history_until(session, auditor, instance.id, instance.event_count, now)
    assert len(cache.get(replay.log_key(instance))) == instance.event_count
    assert late == replay.history_until(session, auditor, instance.id, instance.event_count, now)
    early = replay.history_until(session, auditor, instance.id, 2, now)
    assert early["k"] == 2 and early["event"]["seq"] == 2
