"""The production scripts (what docker-compose runs) started for real.

scripts/migrate.sh, scripts/web.sh (gunicorn) and scripts/worker.sh run as separate
processes against a database of their own; the worker must fire a due timer by itself,
and the health checks compose runs (scripts/web-health.sh, scripts/worker-health.sh) say
healthy when they are. docker-compose.yml itself is read: it parses, runs these scripts,
and sets no variable the app does not read.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from engine.db import read_only
from tests.conftest import T0, isolated_database
from tests.prod_support import children, run_script, script_environment, wait_for
from tests.support import (
    make_factory,
    open_tasks,
    start_waiting_on_period_timer,
)
from tests.test_readme_env import names_read

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def script_env(database_url, tmp_path):
    url = isolated_database(database_url, "scripts", tmp_path, build=False)
    return script_environment(url, tmp_path, ALUR_SEED_DEMO="1", ALUR_TIMER_INTERVAL="0.5",
                              ALUR_WEB_WORKERS="2",
                              ALUR_WORKER_HEARTBEAT_FILE=str(tmp_path / "heartbeat"))


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
        assert _healthz(base) == {"status": "ok", "database": "ok"}
        # the first worker may answer before gunicorn has forked the second
        assert wait_for(lambda: len(children(web.pid)) == 2, timeout=10), (
            "gunicorn runs ALUR_WEB_WORKERS=2 workers"
        )
        assert run_script("web-health.sh", script_env).returncode == 0
        assert _get(base + "/login") == 200
        factory, engine = _factory(script_env["DATABASE_URL"])
        instance_id = start_waiting_on_period_timer(factory, T0)
        assert run_script("worker-health.sh", script_env).returncode == 1, "no beat yet"
        worker = subprocess.Popen(
            ["sh", str(ROOT / "scripts" / "worker.sh")],
            env=script_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert wait_for(lambda: _row12_count(factory, instance_id) == 3), "timer not fired"
            health = run_script("worker-health.sh", script_env)
            assert health.returncode == 0, health.stderr
            assert worker.poll() is None
        finally:
            worker.terminate()
            worker.wait(timeout=10)
        engine.dispose()
    finally:
        web.terminate()
        web.wait(timeout=10)
    heartbeat = Path(script_env["ALUR_WORKER_HEARTBEAT_FILE"])
    os.utime(heartbeat, (time.time() - 120, time.time() - 120))  # a worker silent for 2 min
    stale = run_script("worker-health.sh", script_env)
    assert stale.returncode == 1 and "last heartbeat" in stale.stderr


def _healthz(base: str) -> dict:
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        return json.loads(response.read())


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


# ---- docker-compose.yml: there is no Docker daemon here, so read the file ----------------

COMPOSE = ROOT / "docker-compose.yml"
NOT_THE_APPS = {"DATABASE_URL"}  # read by engine/config.py under its conventional name


def _compose() -> dict:
    import yaml

    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_file_runs_the_tested_scripts():
    services = _compose()["services"]
    assert {"postgres", "migrate", "web", "worker"} <= set(services)
    for name, script in (("migrate", "migrate.sh"), ("web", "web.sh"), ("worker", "worker.sh")):
        assert services[name]["command"] == ["sh", f"scripts/{script}"]
    for name in ("postgres", "web", "worker"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    for name in ("web", "worker"):
        check = services[name]["healthcheck"]["test"]
        assert (ROOT / check[-1]).exists(), check
    assert services["web"]["depends_on"]["migrate"]["condition"] == \
        "service_completed_successfully"


def test_compose_sets_only_variables_the_app_reads():
    read = names_read() | NOT_THE_APPS
    for name, service in _compose()["services"].items():
        if name == "postgres":
            continue
        unknown = set(service.get("environment", {})) - read
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"
