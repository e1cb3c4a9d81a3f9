"""Two versions at once: a run started on version 1 keeps its version after a process owner
deploys version 2 (row 6's Waktu 2 -> 3 hari kerja) through the modeler, and works to its
end through the inbox, the task pages and its period timer; a run started afterwards is on
version 2 and its row 6 gets the new Waktu."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from engine.models import HumanTask, ProcessInstance
from engine.models.instances import STATUS_COMPLETED, STATUS_RUNNING
from engine.services import history
from tests.conftest import T0
from tests.engine.services.test_processdrafts import with_waktu
from tests.job_support import run_jobs
from tests.support import PLANNING, SOP_KEY, actor_for, answers, open_tasks
from tests.webapp.conftest import SignIn
from tests.webapp.inbox_support import (
    app_session,
    page_token,
    post_form,
    squash,
    start_run,
    text_of,
)

LATER = T0 + timedelta(days=40)  # past the sample period's end (31 January 2026)
PERIOD_ROWS = ("Task_13", "Task_14", "Task_15", "Task_16")
# Row 17 closes the reporting: decision (c), no next period.
LAST_DECISION = {"keputusan_periode": "c", "akhir_periode": None}


class People:
    """One signed-in browser per person, made on first use."""

    def __init__(self, web_app):
        self.web_app, self.clients = web_app, {}

    def __getitem__(self, username: str):
        if username not in self.clients:
            client = self.web_app.test_client()
            SignIn(client)(username)
            self.clients[username] = client
        return self.clients[username]

    def sign_in_again(self) -> None:
        """After the clock jumps weeks ahead every session has ended: new ones."""
        self.clients.clear()


def form_items(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """JSON-shaped answers as an HTML form posts them: `list[0][key]` names, a repeated
    name per chosen option of a checklist, nothing for an empty answer."""
    items = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            items.extend(form_items(value, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    items.extend(form_items(item, f"{name}[{index}]"))
                else:
                    items.append((name, str(item)))
        elif value is not None:
            items.append((name, "true" if value is True else str(value)))
    return items


def submit_open_tasks(web_app, people: People, instance_id: int, element_id: str,
                      **overrides) -> int:
    """Every open task of the row, each by its own person: seen in their inbox, opened,
    sent from its page. Returns how many were sent."""
    with app_session(web_app) as session:
        pending = [(task.id, actor_for(session, task).username, task.form_key)
                   for task in open_tasks(session, instance_id, element_id)]
    assert pending, f"no open {element_id} in run {instance_id}"
    for task_id, username, form_key in pending:
        client = people[username]
        inbox = text_of(client.get("/?tab=group")) + text_of(client.get("/?tab=mine"))
        assert f'href="/tasks/{task_id}"' in inbox, (username, element_id)
        assert client.get(f"/tasks/{task_id}").status_code == 200
        data = form_items(answers(form_key, **overrides)) + [("confirmed", "1")]
        sent = post_form(client, f"/tasks/{task_id}", data)
        assert sent.status_code == 302, (element_id, text_of(sent)[:2000])
    return len(pending)


def deploy_version_2(web_app, people: People) -> int:
    """As the process owner, in the modeler: a draft of version 1, row 6's Waktu 2 -> 3,
    saved, checked and deployed. Returns the new version's number."""
    owner = people["pemilik"]
    with app_session(web_app) as session:
        v1 = session.scalars(select(ProcessInstance.version_id)).first()
    made = post_form(owner, f"/pemodel/versi/{v1}/draf", {}, page="/pemodel/")
    assert made.status_code == 303
    draft_url = made.headers["Location"]
    token = page_token(owner, "/pemodel/")
    headers = {"X-CSRFToken": token}
    content = owner.get(f"{draft_url}/isi").get_json()
    changed = with_waktu(content["bpmn_xml"], "Task_06", 3)
    saved = owner.put(f"{draft_url}/isi", json={"revision": 1, "bpmn_xml": changed},
                      headers=headers)
    assert saved.status_code == 200, saved.get_json()
    checked = owner.post(f"{draft_url}/periksa", headers=headers).get_json()
    assert checked == {"problems": []}
    deployed = owner.post(f"{draft_url}/terapkan", json={"revision": 2}, headers=headers)
    assert deployed.status_code == 201, deployed.get_json()
    return deployed.get_json()["version"]


def run_of(web_app, instance_id: int) -> tuple[int, str]:
    with app_session(web_app) as session:
        run = session.get(ProcessInstance, instance_id)
        return run.version.version, run.status


def row6_due(web_app, instance_id: int) -> date:
    with app_session(web_app) as session:
        return session.scalars(select(HumanTask.due_on).where(
            HumanTask.instance_id == instance_id, HumanTask.element_id == "Task_06")).one()


def start_on_the_page(web_app, people: People) -> int:
    started = post_form(people["tim1"], "/instances/new",
                        {"definition": SOP_KEY, "tahun_anggaran": "2026",
                         "judul": "Pengelolaan Kinerja versi 2"})
    assert started.status_code == 302, text_of(started)[:1500]
    with app_session(web_app) as session:
        return session.scalars(select(ProcessInstance.id).order_by(
            ProcessInstance.id.desc()).limit(1)).one()


def test_a_run_on_version_1_ends_after_version_2_is_deployed(web_app):
    people = People(web_app)
    first = start_run(web_app)  # on version 1
    assert deploy_version_2(web_app, people) == 2
    second = start_on_the_page(web_app, people)
    assert run_of(web_app, first) == (1, STATUS_RUNNING)
    assert run_of(web_app, second) == (2, STATUS_RUNNING)

    # both plan: row 6 takes 2 working days on version 1, 3 on version 2
    for element_id in PLANNING[:6]:
        submit_open_tasks(web_app, people, first, element_id)
        submit_open_tasks(web_app, people, second, element_id)
    assert row6_due(web_app, first) == date(2026, 1, 7)  # Monday 5 + 2 HK
    assert row6_due(web_app, second) == date(2026, 1, 8)  # Monday 5 + 3 HK

    # the version-1 run goes on to its end
    for element_id in (*PLANNING[6:], "Task_10", "Task_11"):
        submit_open_tasks(web_app, people, first, element_id)
    factory = web_app.extensions["alur"].session_factory
    assert run_jobs(factory, LATER) == 1  # the run's timer job: row 12 for each of 3 OPDs
    web_app.config["NOW"] = LATER
    people.sign_in_again()
    assert submit_open_tasks(web_app, people, first, "Task_12") == 3
    for element_id in PERIOD_ROWS:
        submit_open_tasks(web_app, people, first, element_id)
    submit_open_tasks(web_app, people, first, "Task_17", **LAST_DECISION)
    submit_open_tasks(web_app, people, first, "Task_17c")

    assert run_of(web_app, first) == (1, STATUS_COMPLETED)
    page = squash(text_of(people["tim1"].get(f"/instances/{first}")))
    assert "SOP Pengelolaan Kinerja · versi 1" in page or "· version 1" in page
    assert people["tim1"].get(f"/instances/{first}/diagram").status_code == 200
    with app_session(web_app) as session:
        assert open_tasks(session, first) == []
        events = history.list_events(session, first)
        assert history.verify_chain(events) is None
        assert {e.type for e in events} >= {"timer_fired", "instance_ended"}
        # the version-2 run waits at its row 7, still on version 2
        assert [t.element_id for t in open_tasks(session, second)] == ["Task_07"]
    assert run_of(web_app, second) == (2, STATUS_RUNNING)
