"""How fast a run's history is verified: events per second (goal: at least 50,000).

`measure_verify(factory, instance_id)` times engine.services.verification.verify_instance
(the chain recomputed event by event, the head and its signature, the checkpoint entries
and the documents) in a read transaction, as `flask alur verify` and the API do;
bench/replay.py imports it. Run on its own, it starts a real SOP run on a fresh database
(SQLite by default, PostgreSQL when BENCH_DATABASE_URL is set), appends N synthetic
events to it through audit.record_events (a realistic mix: tasks opened and claimed,
forms completed with the sample answers, gateways, comments; default 10,000 in all),
writes a checkpoint every 1,000 events, and prints the figure (best of REPEAT).
Usage: python bench/verify_part.py [N_EVENTS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from scenarios import T0, answers, fresh_database, make_factory, seed
from sqlalchemy import select

from engine.db import make_engine, read_only, unit_of_work
from engine.models import ProcessInstance, User
from engine.services import audit, checkpoints, instances, verification

REPEAT = 3
BATCH = 1000
FORMS = ("perencanaan-tujuan", "laporan-realisasi", "pengolahan-data", "keputusan-periode")


def measure_verify(factory, instance_id: int) -> dict:
    """Verify one instance in a read transaction; its events, the seconds, events/s."""
    with read_only(factory) as session:
        started = time.perf_counter()
        verdict = verification.verify_instance(session, instance_id)
        seconds = time.perf_counter() - started
    if not verdict.ok:
        raise AssertionError(f"the benchmark's own run does not verify: {verdict}")
    return {
        "events": verdict.events_checked,
        "seconds": seconds,
        "events_per_second": verdict.events_checked / seconds if seconds else float("inf"),
    }


def synthetic_entries(first: int, count: int) -> list[dict]:
    """`count` events of the kinds a long run is made of, in the order a run makes them."""
    kinds = (
        lambda i: {"type": "task_created", "element_id": "Task_11", "payload": {
            "sop_step": "11", "role": "pj_kinerja", "opd": f"OPD{i % 20:03d}",
            "due_on": "2026-02-10", "period_no": 1 + i // 1000}},
        lambda i: {"type": "task_claimed", "element_id": "Task_11"},
        lambda i: {"type": "task_completed", "element_id": "Task_11", "payload": {
            "sop_step": "11", "form_key": FORMS[i % len(FORMS)],
            "data": answers(FORMS[i % len(FORMS)])}},
        lambda i: {"type": "gateway_taken", "element_id": "Gateway_17",
                   "payload": {"taken": ["Flow_lanjut"]}},
        lambda i: {"type": "comment_added", "element_id": "Task_11",
                   "payload": {"comment_id": i, "body": "Data triwulan sudah lengkap"}},
    )
    return [kinds[i % len(kinds)](i) for i in range(first, first + count)]


def build_instance(factory, n_events: int) -> int:
    """A started SOP run with (about) `n_events` events, checkpointed every BATCH."""
    with unit_of_work(factory) as session:
        tim1 = session.scalars(select(User).where(User.username == "tim1")).one()
        instance_id = instances.start_instance(
            session, tim1, "sop_pengelolaan_kinerja", answers("mulai-pelaksanaan"), T0
        ).id
        session.commit()
    while True:
        with unit_of_work(factory) as session:
            instance = instances.lock_instance(session, instance_id)
            missing = n_events - instance.event_count
            if missing <= 0:
                break
            first = instance.event_count
            entries = synthetic_entries(first, min(BATCH, missing))
            audit.record_events(session, instance, T0, entries)
            checkpoints.write_checkpoint(session, T0)
            session.commit()
    return instance_id


def main(n_events: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="alur-bench-verify-"))
    os.environ.setdefault("ALUR_SIGNING_KEY_FILE", str(folder / "signing-key.pem"))
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"), "verify")
    engine = make_engine(url)
    factory = make_factory(engine, upload_dir=folder / "uploads")
    seed(factory, 4)
    instance_id = build_instance(factory, n_events)
    best = min((measure_verify(factory, instance_id) for _ in range(REPEAT)),
               key=lambda figure: figure["seconds"])
    with read_only(factory) as session:
        assert session.get(ProcessInstance, instance_id).event_count == best["events"]
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"verify ({backend}): {best['events']} events in {best['seconds'] * 1000:.0f} ms = "
          f"{best['events_per_second']:,.0f} events/s (goal >= 50,000)")
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
