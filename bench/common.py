"""Shared set-up for the benchmarks: a fresh database with N OPDs and the SOP deployed.

Everything goes through the real services and a real database (SQLite by default,
PostgreSQL when BENCH_DATABASE_URL is set), so the figures include the ORM and commits.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from engine.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from engine.migrations import upgrade_database  # noqa: E402
from engine.models import Opd, ProcessInstance, User, UserRole  # noqa: E402
from engine.services import demo, holidays, instances, tasks, timers  # noqa: E402
from engine.services.users import hash_password  # noqa: E402
from tests.support import PLANNING, SOP_KEY, answers, deploy_sop, open_tasks, user  # noqa: E402

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
PASSWORD = "bench-password"


def fresh_database(url: str | None, label: str) -> str:
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix=f"alur-bench-{label}-"))
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade_database(url)
    return url


def seed(factory, n_opds: int) -> list[str]:
    """Holidays, demo people, N OPDs each with one PJ Kinerja (password hashed once)."""
    shared_hash = hash_password(PASSWORD)
    with unit_of_work(factory) as session:
        holidays.seed_holidays(session, range(2025, 2031), T0)
        demo.seed_demo(session, T0)
        deploy_sop(session, T0)
        codes = []
        for i in range(n_opds):
            opd = Opd(code=f"OPD{i:03d}", name=f"Dinas Contoh {i:03d}")
            session.add(opd)
            session.flush()
            pj = User(
                username=f"pj{i:03d}",
                full_name=f"PJ Kinerja {i:03d}",
                password_hash=shared_hash,
                opd_id=opd.id,
            )
            pj.role_rows = [UserRole(role="pj_kinerja")]
            session.add(pj)
            codes.append(opd.code)
    return codes


def complete(factory, task_id: int, data: dict, now: datetime) -> float:
    """One service call as a request makes it: own session, load, complete, save, commit."""
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        row = session.get(tasks.HumanTask, task_id)
        actor = session.scalars(_actor_query(row)).first()
        tasks.complete_task(session, actor, task_id, data, now)
    return time.perf_counter() - started


def _actor_query(row):
    from sqlalchemy import select

    if row.role == "pj_kinerja":
        return select(User).where(User.opd_id == row.opd_id)
    return select(User).where(
        User.username == {"tim_kelembagaan": "tim1", "kepala_ukpbj": "kepala"}[row.role]
    )


def open_ids(factory, instance_id: int, element_id: str) -> list[int]:
    with unit_of_work(factory) as session:
        return [t.id for t in open_tasks(session, instance_id, element_id)]


def start_through_row10(factory, codes: list[str], now: datetime) -> int:
    with unit_of_work(factory) as session:
        instance = instances.start_instance(
            session, user(session, "tim1"), SOP_KEY, answers("mulai-pelaksanaan"), now
        )
        instance_id = instance.id
    for element_id in (*PLANNING, "Task_10"):
        for task_id in open_ids(factory, instance_id, element_id):
            form_key = form_key_of(factory, task_id)
            overrides = {"opd_peserta": codes} if element_id == "Task_07" else {}
            complete(factory, task_id, answers(form_key, **overrides), now)
    return instance_id


def form_key_of(factory, task_id: int) -> str:
    with unit_of_work(factory) as session:
        return session.get(tasks.HumanTask, task_id).form_key


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def period_end(now: datetime) -> str:
    return (now + timedelta(days=20)).date().isoformat()


def make_factory(url: str):
    engine = make_engine(url)
    return make_session_factory(engine), engine


def run_to_decision(factory, instance_id: int, now: datetime) -> datetime:
    """Rows 11 (what is left), the timer at the period's end, rows 12-16; row 17 stays open.

    Returns the moment just after the period ended, when the rest was done.
    """
    for task_id in open_ids(factory, instance_id, "Task_11"):
        complete(factory, task_id, answers("pelaksanaan-rencana-aksi"), now)
    with unit_of_work(factory) as session:
        due = session.get(ProcessInstance, instance_id).next_due_at
    later = due + timedelta(hours=1)
    timers.fire_due_timers(factory, later)
    for element_id in ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16"):
        for task_id in open_ids(factory, instance_id, element_id):
            complete(factory, task_id, answers(form_key_of(factory, task_id)), later)
    return later
