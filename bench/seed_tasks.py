"""Fill a bootstrapped database with a large task table, fast, for the inbox under load.

Adds archive runs of the deployed SOP (each with a valid, signed one-event chain, so
`flask alur verify` passes on them) and N human-task rows spread over them, over the three
lanes and over every OPD: mostly completed, a share still open (a backlog in everyone's
inbox). On PostgreSQL the tasks go in with COPY, elsewhere with bulk INSERTs; then the
table is vacuumed and analysed (as autovacuum soon would). Nothing here can be worked on:
the runs have no workflow state.

Usage: python bench/seed_tasks.py DATABASE_URL [N_TASKS]   (default 200,000)
The signing key is the app's (ALUR_SIGNING_KEY_FILE), so run it with the server's env.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from scenarios import SOP_KEY, T0
from sqlalchemy import func, insert, select, text

from engine.db import make_engine, make_session_factory, unit_of_work
from engine.events import EventType
from engine.models import Definition, DefinitionVersion, HumanTask, Opd, ProcessInstance, User
from engine.models.instances import STATUS_COMPLETED
from engine.models.tasks import TASK_COMPLETED, TASK_OPEN
from engine.runtime import build_runtime
from engine.services import audit

TASKS_PER_RUN = 500
OPEN_EVERY = 40  # one task in 40 is still open: 5,000 of 200,000
# (element, lane role, per OPD?) as rows 11-17 of the SOP
STEPS = (
    ("Task_11", "pj_kinerja", True),
    ("Task_12", "pj_kinerja", True),
    ("Task_13", "pj_kinerja", True),
    ("Task_14", "tim_kelembagaan", False),
    ("Task_15", "tim_kelembagaan", False),
    ("Task_16", "kepala_ukpbj", False),
    ("Task_17", "kepala_ukpbj", False),
)
COLUMNS = (
    "instance_id", "spiff_task_id", "element_id", "name", "documentation", "role", "opd_id",
    "form_key", "sop_step", "period_no", "state", "created_at", "due_on", "completed_at",
)


def seed_runs(factory, n_runs: int) -> list[int]:
    """Archive runs with a signed chain of one event each; their ids."""
    with unit_of_work(factory) as session:
        version = session.scalars(
            select(DefinitionVersion)
            .join(Definition)
            .where(Definition.key == SOP_KEY)
            .order_by(DefinitionVersion.version.desc())
        ).first()
        starter = session.scalars(select(User.id).order_by(User.id)).first()
        runs = [
            ProcessInstance(
                registration_no=f"ARSIP-{i:06d}", title=f"Arsip {i}", version_id=version.id,
                status=STATUS_COMPLETED, started_by_id=starter, started_at=T0, updated_at=T0,
                ended_at=T0, data={}, period_no=12,
            )
            for i in range(n_runs)
        ]
        session.add_all(runs)
        session.flush()
        payload = {"data": {}, "version": version.version, "definition": SOP_KEY}
        for run in runs:
            audit.record_events(
                session, run, T0, [{"type": EventType.INSTANCE_STARTED, "payload": payload}]
            )
        session.commit()
        return [run.id for run in runs]


def task_rows(run_ids: list[int], opd_ids: list[int], n_tasks: int):
    """N rows as tuples in COLUMNS order."""
    for i in range(n_tasks):
        element, role, per_opd = STEPS[i % len(STEPS)]
        is_open = i % OPEN_EVERY == 0
        created = T0 + timedelta(minutes=i % 50_000)
        yield (
            run_ids[i // TASKS_PER_RUN], f"seed-{i}", element, f"Langkah {element}", "", role,
            opd_ids[i % len(opd_ids)] if per_opd else None, "pelaksanaan-rencana-aksi",
            element[-2:], i % 12 + 1, TASK_OPEN if is_open else TASK_COMPLETED, created,
            (created + timedelta(days=5 + i % 30)).date(), None if is_open else created,
        )


def copy_tasks(engine, rows) -> None:
    """PostgreSQL's COPY: the fastest way in, some seconds for 200,000 rows."""
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY human_tasks ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def insert_tasks(engine, rows, batch: int = 5000) -> None:
    """Bulk INSERTs of `batch` rows (SQLite)."""
    chunk: list[dict] = []
    with engine.begin() as conn:
        for row in rows:
            chunk.append(dict(zip(COLUMNS, row, strict=True)))
            if len(chunk) == batch:
                conn.execute(insert(HumanTask.__table__), chunk)
                chunk = []
        if chunk:
            conn.execute(insert(HumanTask.__table__), chunk)


def seed(url: str, n_tasks: int = 200_000) -> float:
    """Add the runs and N tasks; returns the seconds it took."""
    started = time.perf_counter()
    engine = make_engine(url)
    factory = make_session_factory(engine, runtime=build_runtime())
    with unit_of_work(factory) as session:
        opd_ids = list(session.scalars(select(Opd.id).order_by(Opd.id)))
    run_ids = seed_runs(factory, -(-n_tasks // TASKS_PER_RUN))
    rows = task_rows(run_ids, opd_ids, n_tasks)
    if engine.dialect.name == "postgresql":
        copy_tasks(engine, rows)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE human_tasks"))  # as autovacuum would
    else:
        insert_tasks(engine, rows)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(HumanTask.__table__))
    engine.dispose()
    print(f"seeded {n_tasks} tasks in {len(run_ids)} runs ({total} in the table)", flush=True)
    return time.perf_counter() - started


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    n_tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    print(f"{seed(sys.argv[1], n_tasks):.1f}s")


if __name__ == "__main__":
    main()
