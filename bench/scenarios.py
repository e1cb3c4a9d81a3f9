"""The benchmarks' own set-up: a fresh database with N OPDs and the SOP deployed, and runs
driven through the real services to the step being measured.

Everything goes through the services and a real database (SQLite by default, PostgreSQL
when BENCH_DATABASE_URL is set), so the figures include the ORM and the commits. Each
factory carries a runtime of its own, as each process of the app does, so a benchmark can
hold two side by side (say, one with the workflow cache and one without) on one database.

Nothing here imports the tests: the forms are filled with the sample answers in
forms/samples/sop-answers.json, the one file of them (tests/support.py reads it too).
"""

from __future__ import annotations

import copy
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from engine.db import make_engine, make_session_factory, read_only, unit_of_work  # noqa: E402
from engine.migrations import upgrade_database  # noqa: E402
from engine.models import HumanTask, Opd, ProcessInstance, User, UserRole  # noqa: E402
from engine.models.tasks import TASK_OPEN  # noqa: E402
from engine.runtime import build_runtime  # noqa: E402
from engine.services import demo, deployments, holidays, instances, jobs, tasks  # noqa: E402
from engine.services.users import hash_password  # noqa: E402

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # a Monday, 09:00 in Jakarta
PASSWORD = "bench-password"
SOP_KEY = "sop_pengelolaan_kinerja"
SOP_BPMN = ROOT / "bpmn" / "sop-pengelolaan-kinerja.bpmn"
ANSWERS: dict[str, dict] = json.loads(
    (ROOT / "forms" / "samples" / "sop-answers.json").read_text(encoding="utf-8")
)
TO_ROW_11 = tuple(f"Task_{row:02d}" for row in range(1, 11))  # rows 1-10, once per run
REPORTING = ("Task_12", "Task_13", "Task_14", "Task_15", "Task_16")  # after the period's end
USER_FOR_ROLE = {"tim_kelembagaan": "tim1", "kepala_ukpbj": "kepala"}  # demo users


class DbMeter:
    """Counts the statements an engine runs and the time spent waiting on them (from just
    before the cursor executes to just after: the round trip plus the database's work).

    `reset()` before a measured call, then read `statements` and `seconds`; `samples` keeps
    one (statements, seconds) pair per `take()`.
    """

    def __init__(self, engine: Engine):
        self.statements, self.seconds, self._started = 0, 0.0, 0.0
        self.samples: list[tuple[int, float]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args) -> None:
        self._started = time.perf_counter()

    def _after(self, *_args) -> None:
        self.statements += 1
        self.seconds += time.perf_counter() - self._started

    def reset(self) -> None:
        self.statements, self.seconds = 0, 0.0

    def take(self) -> None:
        self.samples.append((self.statements, self.seconds))
        self.reset()

    def medians(self) -> tuple[float, float]:
        """The median statement count and database time (ms) of the samples taken."""
        if not self.samples:
            return 0.0, 0.0
        return (
            statistics.median(s for s, _ in self.samples),
            statistics.median(t for _, t in self.samples) * 1000,
        )


def answers(form_key: str, **overrides) -> dict:
    data = copy.deepcopy(ANSWERS[form_key])
    data.update(overrides)
    return data


def fresh_database(url: str | None, label: str) -> str:
    """A new SQLite file, or BENCH_DATABASE_URL's public schema rebuilt; then migrated."""
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


def make_factory(engine: Engine, **settings) -> sessionmaker[Session]:
    """Sessions with a runtime of their own; `settings` override (workflow_cache_size=0)."""
    return make_session_factory(engine, runtime=build_runtime(**settings))


def seed(factory, n_opds: int) -> list[str]:
    """Holidays, demo people, the SOP and N OPDs each with one PJ Kinerja; their codes."""
    shared_hash = hash_password(PASSWORD)  # hashed once: it is slow on purpose
    with unit_of_work(factory) as session:
        holidays.seed_holidays(session, range(2025, 2031), T0)
        demo.seed_demo(session, T0)
        deploy_sop(session)
        codes = [add_opd(session, i, shared_hash) for i in range(n_opds)]
        session.commit()
    return codes


def deploy_sop(session: Session) -> None:
    deployments.deploy_diagram(
        session,
        SOP_BPMN.read_bytes(),
        filename=SOP_BPMN.name,
        forms=deployments.load_forms_dir(ROOT / "forms"),
        lane_roles=deployments.load_lane_roles(ROOT / "bpmn" / "lane-roles.toml"),
        now=T0,
    )


def add_opd(session: Session, i: int, password_hash: str) -> str:
    opd = Opd(code=f"OPD{i:03d}", name=f"Dinas Contoh {i:03d}")
    session.add(opd)
    session.flush()
    pj = User(
        username=f"pj{i:03d}",
        full_name=f"PJ Kinerja {i:03d}",
        password_hash=password_hash,
        opd_id=opd.id,
    )
    pj.role_rows = [UserRole(role="pj_kinerja")]
    session.add(pj)
    return opd.code


def actor_of(session: Session, task: HumanTask) -> User:
    """Who completes `task`: its OPD's PJ Kinerja, else the demo user of its lane."""
    return _actor_for(session, task.role, task.opd_id)


def _actor_for(session: Session, role: str, opd_id: int | None) -> User:
    if role == "pj_kinerja":
        query = select(User).where(User.opd_id == opd_id)
    else:
        query = select(User).where(User.username == USER_FOR_ROLE[role])
    return session.scalars(query).first()


def complete(
    factory, task_id: int, data: dict, now: datetime, meter: DbMeter | None = None
) -> float:
    """One completion as a request makes it, in its own transaction; returns the seconds
    from the person in hand to the commit.

    The person is read first, as a request's login does before the service runs (their
    row with OPD and roles; that read also checks the connection out of the pool, pings
    it and begins the transaction), and is not timed: every request pays it, a page view
    as much as a completion. Then the completion (lock, task, form, engine step, writes)
    and the commit are timed; `meter`, when given, counts only their statements. The task
    row is looked up without loading it, so the service reads it as in a request."""
    with unit_of_work(factory) as session:
        role, opd_id = session.execute(
            select(HumanTask.role, HumanTask.opd_id).where(HumanTask.id == task_id)
        ).one()
        actor = _actor_for(session, role, opd_id)
        if meter is not None:
            meter.reset()
        started = time.perf_counter()
        tasks.complete_task(session, actor, task_id, data, now)
        session.commit()
        return time.perf_counter() - started


def open_ids(factory, instance_id: int, element_id: str) -> list[int]:
    with read_only(factory) as session:
        return list(
            session.scalars(
                select(HumanTask.id)
                .where(
                    HumanTask.instance_id == instance_id,
                    HumanTask.element_id == element_id,
                    HumanTask.state == TASK_OPEN,
                )
                .order_by(HumanTask.id)
            )
        )


def form_key_of(factory, task_id: int) -> str:
    with read_only(factory) as session:
        return session.get(HumanTask, task_id).form_key


def complete_row(factory, instance_id: int, element_id: str, now: datetime, **overrides) -> None:
    """Every open task of one row, each with its form's sample answer."""
    for task_id in open_ids(factory, instance_id, element_id):
        complete(factory, task_id, answers(form_key_of(factory, task_id), **overrides), now)


def start_through_row10(factory, codes: list[str], now: datetime) -> int:
    """A new run with rows 1-10 done: every OPD in `codes` has its row 11 open."""
    with unit_of_work(factory) as session:
        instance = instances.start_instance(
            session, _user(session, "tim1"), SOP_KEY, answers("mulai-pelaksanaan"), now
        )
        session.commit()
    for element_id in TO_ROW_11:
        overrides = {"opd_peserta": codes} if element_id == "Task_07" else {}
        complete_row(factory, instance.id, element_id, now, **overrides)
    return instance.id


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def run_to_decision(factory, instance_ids: list[int], now: datetime) -> datetime:
    """Rows 11 (what is left), the timers at the period's end, rows 12-16 of every run;
    row 17 stays open. Returns the moment, just after the period ended, this happened."""
    for instance_id in instance_ids:
        complete_row(factory, instance_id, "Task_11", now)
    with read_only(factory) as session:
        due = max(session.get(ProcessInstance, i).next_due_at for i in instance_ids)
    later = due + timedelta(hours=1)
    jobs.run_due_jobs(factory, lambda: later)
    for instance_id in instance_ids:
        for element_id in REPORTING:
            complete_row(factory, instance_id, element_id, later)
    return later


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def period_end(now: datetime) -> str:
    return (now + timedelta(days=20)).date().isoformat()
