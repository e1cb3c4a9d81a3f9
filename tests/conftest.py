"""Fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set).

The schema comes from `alembic upgrade head`. Reference data (holidays, demo OPDs and
users, the deployed SOP) is committed once per database; each test then runs inside an
outer transaction that is rolled back (`join_transaction_mode="create_savepoint"`), so
tests see a clean database without rebuilding it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from engine.db import RUNTIME_KEY, make_engine, make_session_factory, unit_of_work
from engine.migrations import upgrade_database
from engine.runtime import build_runtime

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own (the test
    database's name with the worker's id), made on first use: workers reset their schema
    and build their isolated schemas without touching each other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL"))
PG_SKIP = "TEST_DATABASE_URL is not set: PostgreSQL tests need a real server (CI sets it)"

# Monday 5 January 2026, 09:00 WIB: a working day, so due dates are easy to read.
T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is not beside the clone ({path} missing)")
    return path


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build_database(url: str) -> None:
    """Fresh schema from the migrations, then the committed reference data."""
    from engine.services import demo, holidays
    from tests.support import deploy_sop

    upgrade_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine, runtime=build_runtime())
    with unit_of_work(factory) as session:
        holidays.seed_holidays(session, range(2025, 2030), T0)
        demo.seed_demo(session, T0)
        deploy_sop(session, T0)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def signing_key_file(tmp_path_factory) -> Path:
    """The server key of the whole test session lives in a pytest tmp dir, never in the
    repo: set before any runtime reads its settings (subprocesses inherit it)."""
    path = tmp_path_factory.mktemp("signing") / "signing-key.pem"
    previous = os.environ.get("ALUR_SIGNING_KEY_FILE")
    os.environ["ALUR_SIGNING_KEY_FILE"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("ALUR_SIGNING_KEY_FILE", None)
    else:
        os.environ["ALUR_SIGNING_KEY_FILE"] = previous


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_SKIP)
        reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    build_database(url)
    return url


@pytest.fixture(scope="session")
def db_engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture()
def runtime():
    """A fresh runtime (cold caches, settings read now) for each test."""
    return build_runtime()


@pytest.fixture()
def session(db_engine, runtime):
    """A session whose every commit is a savepoint inside one rolled-back transaction."""
    connection = db_engine.connect()
    outer = connection.begin()
    db = Session(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        info={RUNTIME_KEY: runtime},
    )
    yield db
    db.close()
    outer.rollback()
    connection.close()


@pytest.fixture()
def now() -> datetime:
    return T0


def isolated_database(base_url: str, name: str, tmp_path: Path, *, build: bool = True) -> str:
    """A database of its own for tests that commit for real (races, servers).

    SQLite: a new file. PostgreSQL: a schema of its own in the test database, selected
    through the connection's search_path, so no extra privileges are needed. With
    build=False the database is left empty (no tables), as on a first deployment.
    """
    if base_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    else:
        engine = make_engine(base_url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        engine.dispose()
        sep = "&" if "?" in base_url else "?"
        url = f"{base_url}{sep}options=-csearch_path%3D{name}"
    if build:
        build_database(url)
    return url


def racing_factory(base_url: str, name: str, tmp_path: Path):
    """A session factory on an isolated database with room for several threads at once
    (races between two workers); yields it and disposes of its engine afterwards."""
    from tests.support import make_factory

    url = isolated_database(base_url, name, tmp_path)
    factory = make_factory(url, **({} if url.startswith("sqlite") else {"pool_size": 5}))
    yield factory
    factory.kw["bind"].dispose()
