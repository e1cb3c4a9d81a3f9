"""The production scripts (what docker-compose runs) started for real.

scripts/migrate.sh, scripts/web.sh (gunicorn) and scripts/worker.sh run as separate
processes against a database of their own; the worker must fire a due timer by itself.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from engine.db import read_only
from tests.conftest import T0, isolated_database
from tests.support import (
    make_factory,
    open_tasks,
    start_waiting_on_period_timer,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def script_environment(url: str, folder: Path, **settings: str) -> dict:
    """The environment docker-compose gives the scripts, on `url`, on a free local port."""
    return dict(
        os.environ,
        PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
        DATABASE_URL=url,
        ALUR_DATABASE_URL=url,
        ALUR_INSTANCE_DIR=str(folder / "instance"),
        ALUR_UPLOAD_DIR=str(folder / "uploads"),
        ALUR_SECRET_KEY="test-secret",
        ALUR_BIND=f"127.0.0.1:{free_port()}",
        **settings,
    )


@pytest.fixture()
def script_env(database_url, tmp_path):
    url = isolated_database(database_url, "scripts", tmp_path, build=False)
    return script_environment(url, tmp_path, ALUR_SEED_DEMO="1", ALUR_TIMER_INTERVAL="0.5")


def run_script(name: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(ROOT / "scripts" / name)], env=env, capture_output=True, text=True, timeout=180
    )


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_migrate_web_and_worker_scripts(script_env):
    """migrate.sh twice (idempotent), then web.sh serves and worker.sh fires a due timer."""
    first = run_script("migrate.sh", script_env)
    assert first.returncode == 0, first.stderr
    assert "deployed: sop-pengelolaan-kinerja.bpmn version 1" in first.stdout
    second = run_script("migrate.sh", script_env)
    assert second.returncode == 0, second.stderr
    assert "unchanged: sop-pengelolaan-kinerja.bpmn version 1" in second.stdout
    web = subprocess.Popen(
        ["sh", str(ROOT / "scripts" / "web.sh")],
        env=script_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://{script_env['ALUR_BIND']}"
        assert wait_for(lambda: _get(base + "/healthz") == 200), "web did not answer /healthz"
        assert _get(base + "/login") == 200
        factory, engine = _factory(script_env["DATABASE_URL"])
        instance_id = start_waiting_on_period_timer(factory, T0)
        worker = subprocess.Popen(
            ["sh", str(ROOT / "scripts" / "worker.sh")],
            env=script_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert wait_for(lambda: _row12_count(factory, instance_id) == 3), "timer not fired"
        finally:
            worker.terminate()
            worker.wait(timeout=10)
        engine.dispose()
    finally:
        web.terminate()
        web.wait(timeout=10)


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return None


def _factory(url: str):
    factory = make_factory(url)
    return factory, factory.kw["bind"]


def _row12_count(factory, instance_id: int) -> int:
    with read_only(factory) as session:
        return len(open_tasks(session, instance_id, "Task_12"))
