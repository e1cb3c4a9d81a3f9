"""Two web hosts on one database: each keeps its own workflow cache, and neither acts on a
state the other has since changed.

Two gunicorn instances (scripts/web.sh, one worker each, so each host's cache is one
process's and is hit as often as possible) on different ports share one PostgreSQL
database. One run of the SOP is driven by alternating hosts step after step: the planning
rows, the Kepala's "perbaiki" decision that sends the run back to row 1, claims taken on
one host and completed on the other, the four OPDs' PJ tasks of row 10 and row 11. A host
whose cache missed the other's change would complete a task on an old workflow: a refused
step, a wrong task list, or a log that does not replay. At the end the run stands where it
should, replays from its events, and `flask alur verify` passes on every chain.
"""

from __future__ import annotations

import itertools
import subprocess
from datetime import date, timedelta

import pytest

from tests.conftest import PG_SKIP, PG_URL, isolated_database
from tests.prod_support import HttpApi, Server, running, script_environment
from tests.support import PJ_FOR_OPD, PLANNING, USER_FOR_ROLE, assert_replays, make_factory

TEAM = (*USER_FOR_ROLE.values(), *PJ_FOR_OPD.values())
NOTE = "Lengkapi target triwulan"
# These servers run on the real clock: the first period ends well ahead of today.
PERIOD_AHEAD = {"akhir_periode": (date.today() + timedelta(days=60)).isoformat()}


@pytest.fixture()
def shared_url(tmp_path):
    if not PG_URL:
        pytest.skip(PG_SKIP)
    return isolated_database(PG_URL, "two_hosts", tmp_path)


class Hosts:
    """The API of both hosts, taken in turn: every call goes to the other host."""

    def __init__(self, *bases: str):
        tokens: dict[str, str] = {}  # a token is a row in the shared database: any host takes it
        self.apis = [HttpApi(base, tokens) for base in bases]
        self._turn = itertools.cycle(self.apis)
        self.used: list[str] = []

    def next(self) -> HttpApi:
        api = next(self._turn)
        self.used.append(api.base)
        return api

    def open_tasks(self, instance_id: int, element_id: str) -> list[tuple[str, dict]]:
        """The open tasks of a row with who sees them; a row of the Tim or the Kepala stops
        at the first of them who has it, an OPDs' row asks every PJ."""
        api, found = self.next(), []
        for username in TEAM:
            found += [(username, t) for t in api.open_tasks(username, instance_id, element_id)]
            if found and username in USER_FOR_ROLE.values():
                break
        return found

    def complete_row(self, instance_id: int, element_id: str, claim: bool = False,
                     **overrides) -> None:
        pending = self.open_tasks(instance_id, element_id)
        assert pending, f"no open {element_id}"
        for username, task in pending:
            if claim:
                self.next().ok("POST", username, f"/tasks/{task['id']}/claim")
            done = self.next().complete(username, task, **overrides)
            assert done.status == 200, (element_id, username, done.body)


def test_two_hosts_take_turns_on_one_run(shared_url, tmp_path):
    servers = [Server("web.sh", script_environment(shared_url, tmp_path / name,
                                                   ALUR_WEB_WORKERS="1", ALUR_WEB_THREADS="2"),
                      tmp_path / f"{name}.log") for name in ("host-a", "host-b")]
    with running(*servers):
        for server in servers:
            server.wait_healthy()
        hosts = Hosts(*(server.base for server in servers))
        instance_id = hosts.next().start_instance()["id"]
        for row in PLANNING[:5]:
            hosts.complete_row(instance_id, row)
        hosts.complete_row(instance_id, "Task_06", keputusan_rencana="perbaiki",
                           catatan_perbaikan=NOTE)
        for number, row in enumerate(PLANNING):
            hosts.complete_row(instance_id, row, claim=number % 2 == 0,
                               **(PERIOD_AHEAD if row == "Task_09" else {}))
        hosts.complete_row(instance_id, "Task_10")  # four OPDs, four alternating hosts
        hosts.complete_row(instance_id, "Task_11", claim=True)

        for api in hosts.apis:  # both hosts tell the same story
            run = api.ok("GET", "tim1", f"/instances/{instance_id}")
            assert run["status"] == "running" and run["period_no"] == 1
            assert run["open_tasks"] == []  # waiting on the period's timer (row 12)
        assert set(hosts.used) == {server.base for server in servers}
        env = servers[0].env

    verify = subprocess.run(["flask", "--app", "webapp", "alur", "verify"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    factory = make_factory(shared_url)
    try:
        assert_replays(factory, instance_id)
    finally:
        factory.kw["bind"].dispose()
