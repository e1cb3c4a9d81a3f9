"""`flask alur replay-check`: what it prints and its exit status, for one run and for all."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update

from engine.db import unit_of_work
from engine.models import Event
from tests.conftest import T0, isolated_database
from tests.support import PLANNING, complete_all, make_factory, run_rows, start_sop
from webapp import create_app


@pytest.fixture()
def cli_app(database_url, tmp_path):
    """The app on a database of its own with two committed runs: (app, factory, ids)."""
    url = isolated_database(database_url, "cli_replay", tmp_path)
    factory = make_factory(url)
    with unit_of_work(factory) as session:
        first = start_sop(session, T0)
        run_rows(session, first.id, PLANNING[:5], T0)
        complete_all(session, first.id, "Task_06", T0, keputusan_rencana="perbaiki",
                     catatan_perbaikan="Target efisiensi terlalu rendah")
        run_rows(session, first.id, PLANNING, T0)
        second = start_sop(session, T0)
        ids = [first.id, second.id]
        session.commit()
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    yield app, factory, ids
    app.extensions["alur"].engine.dispose()
    factory.kw["bind"].dispose()


def run(app, *args):
    return app.test_cli_runner().invoke(args=["alur", "replay-check", *args])


def event_count(factory) -> int:
    with unit_of_work(factory) as session:
        return session.scalar(select(func.count()).select_from(Event))


def turn_the_approval(factory, instance_id: int) -> int:
    """Edit the log so it says row 6 sent the plan back the second time too; its seq."""
    with unit_of_work(factory) as session:
        gateway = session.scalars(
            select(Event).where(Event.instance_id == instance_id, Event.element_id == "GW_06")
            .order_by(Event.seq)
        ).all()[1]
        seq = gateway.seq
        session.execute(update(Event).where(Event.id == gateway.id)
                        .values(payload={"taken": ["Task_01"]}))
        session.commit()
    return seq


def test_a_run_that_replays_exits_zero(cli_app):
    app, factory, (first, _) = cli_app
    before = event_count(factory)
    result = run(app, str(first))
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert line.startswith("ok (") and line.endswith(" events compared)")
    assert event_count(factory) == before  # nothing written


def test_a_mismatch_is_named_and_exits_one(cli_app):
    app, factory, (first, _) = cli_app
    seq = turn_the_approval(factory, first)
    result = run(app, str(first))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (f"mismatch: event {seq}: log: gateway GW_06 took Task_01; "
                        "engine: gateway GW_06 took Task_07")
    assert json.loads(lines[1].split("expected: ", 1)[1])["taken"] == ["Task_01"]
    assert json.loads(lines[2].split("actual: ", 1)[1])["taken"] == ["Task_07"]


def test_all_checks_every_run_and_sums_up(cli_app):
    app, factory, (first, second) = cli_app
    fine = run(app, "--all")
    assert fine.exit_code == 0, fine.output
    assert fine.output.splitlines() == [
        *(line for line in fine.output.splitlines() if line.startswith("instance ")),
        "2 instances checked: 2 ok, 0 mismatched",
    ]
    assert [line.split(":")[0] for line in fine.output.splitlines()[:2]] == [
        f"instance {first}", f"instance {second}"]
    seq = turn_the_approval(factory, first)
    broken = run(app, "--all")
    assert broken.exit_code == 1
    assert f"instance {first}: mismatch: event {seq}: " in broken.output
    assert f"instance {second}: ok (" in broken.output
    assert broken.output.splitlines()[-1] == "2 instances checked: 1 ok, 1 mismatched"


@pytest.mark.parametrize(("args", "message"), [
    ((), "give one INSTANCE_ID or --all"),
    (("1", "--all"), "give one INSTANCE_ID or --all"),
    (("999",), "instance 999 not found"),
])
def test_a_bad_call_exits_two(cli_app, args, message):
    app, _, _ = cli_app
    result = run(app, *args)
    assert result.exit_code == 2
    assert message in result.output
