"""`flask alur verify`, `flask alur checkpoint`, the worker's checkpoints and `flask alur
migrate` signing the heads of runs made before signing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import func, select, update

from engine.db import make_session_factory, read_only, unit_of_work
from engine.models import Event, ProcessInstance
from engine.models.trust import ChainCheckpoint
from engine.runtime import build_runtime
from tests.conftest import T0, isolated_database
from tests.support import start_committed
from webapp import create_app
from webapp.cli import run_worker_loop


@pytest.fixture()
def cli_app(database_url, tmp_path):
    url = isolated_database(database_url, "cli_verify", tmp_path)
    app = create_app({"DATABASE_URL": url, "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    yield app
    app.extensions["alur"].engine.dispose()


@pytest.fixture()
def factory(cli_app):
    return cli_app.extensions["alur"].session_factory


def run(app, *args):
    return app.test_cli_runner().invoke(args=["alur", *args])


def _edit(factory, instance_id: int, seq: int) -> None:
    with unit_of_work(factory) as session:
        session.execute(update(Event).where(Event.instance_id == instance_id, Event.seq == seq)
                        .values(payload={"diubah": True}))
        session.commit()


def test_verify_all_says_ok_for_every_chain(cli_app, factory):
    first = start_committed(factory, T0, ["Task_01"])
    second = start_committed(factory, T0)
    assert run(cli_app, "checkpoint").exit_code == 0
    result = run(cli_app, "verify")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"instance {first}: ok (Verified: ")
    assert lines[1].startswith(f"instance {second}: ok")
    assert lines[2].startswith("global chain: ok") and lines[3].startswith("checkpoint chain: ok")
    assert lines[4] == "verified 4 chain(s): 4 ok, 0 broken"


def test_verify_names_the_first_broken_event_and_exits_non_zero(cli_app, factory):
    broken = start_committed(factory, T0, ["Task_01", "Task_02"])
    sound = start_committed(factory, T0)
    _edit(factory, broken, 3)
    result = run(cli_app, "verify")
    assert result.exit_code == 1
    assert (f"instance {broken}: BROKEN at event 3: hash_mismatch: "
            "Event 3 was changed after it was recorded") in result.output
    assert f"instance {sound}: ok" in result.output
    assert "verified 4 chain(s): 3 ok, 1 broken" in result.output
    one = run(cli_app, "verify", str(broken))
    assert one.exit_code == 1 and f"instance {broken}: BROKEN at event 3" in one.output
    assert "verified 1 chain(s): 0 ok, 1 broken" in one.output
    assert run(cli_app, "verify", str(sound)).exit_code == 0


def test_verify_an_unknown_instance(cli_app):
    result = run(cli_app, "verify", "4242")
    assert result.exit_code == 2 and "instance 4242: not found" in result.output


def test_checkpoint_writes_only_when_a_head_moved(cli_app, factory):
    start_committed(factory, T0)
    first = run(cli_app, "checkpoint")
    assert first.exit_code == 0 and "checkpoint 1: 2 head(s)" in first.output
    again = run(cli_app, "checkpoint")
    assert "no head moved since the last checkpoint: nothing written" in again.output


def test_the_worker_writes_checkpoints_in_its_loop(cli_app, factory):
    start_committed(factory, T0)
    runtime = build_runtime(checkpoint_interval_seconds=0.2)
    worker = make_session_factory(factory.kw["bind"], runtime=runtime)  # its own process
    stop = threading.Event()
    thread = threading.Thread(target=run_worker_loop, args=(worker, 0.05, stop))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while _checkpoints(factory) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        start_committed(factory, T0)  # a head moves: the next interval records it
        while _checkpoints(factory) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert _checkpoints(factory) == 2
    assert run(cli_app, "verify").exit_code == 0


def _checkpoints(factory) -> int:
    with read_only(factory) as session:
        return session.scalar(select(func.count()).select_from(ChainCheckpoint))


def test_migrate_signs_old_heads_whose_chain_holds_and_names_the_others(cli_app, factory):
    old = start_committed(factory, T0)
    tampered = start_committed(factory, T0)
    with unit_of_work(factory) as session:  # as a database from before heads were signed
        session.execute(update(ProcessInstance).values(head_signature=None, head_key_id=None))
        session.commit()
    _edit(factory, tampered, 2)
    result = run(cli_app, "migrate")
    assert result.exit_code == 0, result.output
    assert "signed the head of 1 run(s) made before heads were signed" in result.output
    assert f"not signed: instance {tampered}: its chain breaks at event 2" in result.output
    one = run(cli_app, "verify", str(old))
    assert one.exit_code == 0, one.output
    again = run(cli_app, "migrate")
    assert "signed the head" not in again.output  # once
    assert f"not signed: instance {tampered}" in again.output


def test_verify_runs_as_a_real_command(cli_app, factory, tmp_path):
    """The command in a subprocess of its own, as cron would run it."""
    broken = start_committed(factory, T0)
    _edit(factory, broken, 1)
    env = {**os.environ, "ALUR_DATABASE_URL": cli_app.config["DATABASE_URL"],
           "ALUR_UPLOAD_DIR": str(tmp_path / "uploads"), "ALUR_SECRET_KEY": "cli-tests-only"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "alur", "verify", str(broken)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"instance {broken}: BROKEN at event 1: hash_mismatch" in result.stderr


def test_migrate_makes_the_signing_key_and_says_where_it_is(cli_app, tmp_path, monkeypatch):
    """A new office's first command makes the key, so it can be backed up before any run."""
    runtime = cli_app.extensions["alur"].runtime
    key_file = tmp_path / "keys" / "signing-key.pem"
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, signing_key_file=key_file))
    result = run(cli_app, "migrate")
    assert result.exit_code == 0, result.output
    assert key_file.exists() and key_file.with_name("signing-key.pem.pub").exists()
    assert f"signing key {runtime.signer.key_id} at {key_file}" in result.output
