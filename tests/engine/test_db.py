"""Units of work: reads take no write lock, writes commit only when asked, the commit hook."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from engine.db import is_read_only, on_commit, read_only, unit_of_work
from engine.models import Opd
from tests.conftest import isolated_database
from tests.support import make_factory

HOLD = 1.5  # seconds each read keeps its transaction open


@pytest.fixture(scope="module")
def factory(database_url, tmp_path_factory):
    made = make_factory(isolated_database(database_url, "uow", tmp_path_factory.mktemp("uow")))
    yield made
    made.kw["bind"].dispose()


def opd_name(factory, code: str = "DINKES") -> str:
    with read_only(factory) as session:
        return session.scalar(select(Opd.name).where(Opd.code == code))


def test_nothing_is_kept_without_an_explicit_commit(factory):
    with unit_of_work(factory) as session:
        session.execute(update(Opd).where(Opd.code == "DINKES").values(name="Lupa disimpan"))
    assert opd_name(factory) != "Lupa disimpan"
    with unit_of_work(factory) as session:
        session.execute(update(Opd).where(Opd.code == "DINKES").values(name="Disimpan"))
        session.commit()
    assert opd_name(factory) == "Disimpan"


def test_an_error_rolls_everything_back(factory):
    with pytest.raises(ZeroDivisionError), unit_of_work(factory) as session:
        session.execute(update(Opd).where(Opd.code == "DINKES").values(name="Setengah jalan"))
        session.flush()
        _ = 1 / 0
    assert opd_name(factory) != "Setengah jalan"


def test_on_commit_runs_after_the_commit_and_never_after_a_rollback(factory):
    ran: list[str] = []
    with unit_of_work(factory) as session:
        session.execute(text("SELECT 1"))
        on_commit(session, lambda: ran.append("rolled back"))
    with unit_of_work(factory) as session:
        session.execute(update(Opd).where(Opd.code == "DINKES").values(name="X"))
        on_commit(session, lambda: ran.append(opd_name(factory)))  # sees the committed row
        assert ran == []
        session.commit()
    assert ran == ["X"]


def test_a_read_only_unit_refuses_to_write(factory):
    with read_only(factory) as session:
        assert is_read_only(session)
        session.scalars(select(Opd)).first().name = "Tidak boleh"
        with pytest.raises(RuntimeError, match="read-only"):
            session.flush()
    with read_only(factory) as session, pytest.raises(DBAPIError):
        session.execute(update(Opd).values(name="Lewat SQL pun tidak"))  # the database refuses
    assert opd_name(factory) != "Tidak boleh"


def test_two_long_reads_and_a_write_proceed_together(factory):
    """On SQLite every transaction used to take the write lock at BEGIN: the second read
    waited for the first, and the write for both (up to the 15 s busy timeout)."""
    started: dict[str, float] = {}
    finished: dict[str, float] = {}
    origin = time.monotonic()

    def long_read(name: str) -> None:
        with read_only(factory) as session:
            session.scalars(select(Opd)).all()
            started[name] = time.monotonic() - origin
            time.sleep(HOLD)
            session.scalars(select(Opd)).all()
        finished[name] = time.monotonic() - origin

    readers = [threading.Thread(target=long_read, args=(n,)) for n in ("a", "b")]
    for reader in readers:
        reader.start()
    time.sleep(0.2)
    with unit_of_work(factory) as session:
        session.execute(update(Opd).where(Opd.code == "DINKES").values(name="Ditulis"))
        session.commit()
    wrote = time.monotonic() - origin
    for reader in readers:
        reader.join(timeout=30)
    assert started["a"] < HOLD / 2 and started["b"] < HOLD / 2, started
    assert wrote < min(finished.values()), (wrote, finished)
    assert opd_name(factory) == "Ditulis"
