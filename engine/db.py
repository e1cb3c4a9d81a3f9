"""Database plumbing: the declarative base, engines, units of work and the commit hook.

One transaction per request or command. Services only flush; whoever opened the
transaction commits it explicitly (the web layer's transaction module, or a command
calling `session.commit()` inside `unit_of_work()`), and anything not committed is
rolled back. Reads use `read_only()`: on SQLite a deferred BEGIN that never takes the
write lock (WAL lets readers and one writer proceed together), on PostgreSQL a READ ONLY
transaction. Writes on SQLite take the write lock at BEGIN (`BEGIN IMMEDIATE`), so two
writers queue instead of failing halfway; PostgreSQL relies on row locks (FOR UPDATE).

Side effects that must happen only once the data is durable (filling the in-process
workflow cache, later mail and jobs) go through `on_commit(session, fn)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import JSON, DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

READ_ONLY_OPTION = "alur_read_only"
RUNTIME_KEY = "alur_runtime"
_ON_COMMIT = "alur_on_commit"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON(), list: JSON()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _configure_sqlite(engine: Engine, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("PRAGMA query_only=1")
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("PRAGMA query_only=0")
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def normalize_url(url: str) -> str:
    """Plain postgres URLs (as in DATABASE_URL conventions) use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, sqlite_foreign_keys: bool = True, **kwargs) -> Engine:
    """Create an engine for `url`; SQLite files get their folder and their pragmas.

    Migrations turn SQLite's foreign keys off (`sqlite_foreign_keys=False`): SQLite alters
    a table by copying it, and dropping the old copy would violate every key that points
    at it; the migration environment checks all keys once it is done instead.
    """
    url = normalize_url(url)
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 15})
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, sqlite_foreign_keys)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine, *, runtime: object = None) -> sessionmaker[Session]:
    """Sessions on `engine`; `runtime` (engine.runtime.Runtime) travels in `session.info`.

    The runtime (parser, caches, settings) is built once per process by whoever builds
    the factory (create_app, the worker, a test), so services reach it through the
    session they are given instead of through module globals.
    """
    return sessionmaker(
        bind=engine, expire_on_commit=False, autoflush=True, info={RUNTIME_KEY: runtime}
    )


def read_only_bind(engine: Engine) -> Engine:
    """The same engine (same pool) with connections in read-only transactions."""
    return engine.execution_options(**{READ_ONLY_OPTION: True, "postgresql_readonly": True})


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One write transaction for one command or timer job.

    Nothing is kept unless the caller commits: `session.commit()` is the one explicit
    commit point; leaving the block without it (or with an error) rolls everything back.
    """
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def read_only_session(factory: sessionmaker[Session]) -> Session:
    """A session whose transactions only read: it refuses to flush changes."""
    session = factory(bind=read_only_bind(factory.kw["bind"]))
    session.info[READ_ONLY_OPTION] = True
    return session


def is_read_only(session: Session) -> bool:
    return bool(session.info.get(READ_ONLY_OPTION))


@contextmanager
def read_only(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One read transaction: no write lock on SQLite, READ ONLY on PostgreSQL, no commit.

    Closing ends the transaction (the connection goes back to the pool rolled back) and
    leaves what was read usable, detached, by the caller.
    """
    session = read_only_session(factory)
    try:
        yield session
    finally:
        session.close()


def on_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run `fn` once the session's transaction has committed; forget it on rollback."""
    session.info.setdefault(_ON_COMMIT, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    for fn in session.info.pop(_ON_COMMIT, []):
        fn()


@event.listens_for(Session, "after_rollback")
def _drop_on_commit(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)


@event.listens_for(Session, "before_flush")
def _refuse_writes_when_read_only(session: Session, _context, _instances) -> None:
    if is_read_only(session) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a read-only unit of work tried to write")
