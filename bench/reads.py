"""What the people of a large run wait for when they read: pages and the event log.

One run with N OPDs (default 20) driven through the services to row 17, each OPD's row 11
carrying a comment, then the app (create_app, in this process, over the same database:
SQLite by default, PostgreSQL when BENCH_DATABASE_URL is set) answers, signed in through
the real login form:

- the row 17 task page for Kepala UKPBJ (its evidence section lists every step's documents
  and comments the viewer may see);
- the instance page (history, diagram state) for the Tim and for a PJ;
- GET /api/v1/instances/{id}/events (limit 200) for the Tim and for a PJ (filtered per
  viewer; the whole chain is verified on every call);
- a sign-in (argon2 and the throttle's queries).

It prints the median of REPEAT requests of each, in milliseconds.
Usage: python bench/reads.py [N_OPDS]
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from datetime import timedelta

from scenarios import (
    PASSWORD,
    T0,
    fresh_database,
    make_factory,
    median_ms,
    open_ids,
    run_to_decision,
    seed,
    start_through_row10,
)
from sqlalchemy import select

from engine.db import make_engine, unit_of_work
from engine.models import HumanTask, User
from engine.services import comments
from engine.services.demo import DEMO_PASSWORD
from engine.services.users import issue_token

REPEAT = 15
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_run(url: str, n_opds: int):
    """The database with one run waiting at row 17; (instance id, the moment it got there)."""
    engine = make_engine(url)
    factory = make_factory(engine)
    codes = seed(factory, n_opds)
    instance_id = start_through_row10(factory, codes, T0)
    with unit_of_work(factory) as session:
        for task_id in open_ids(factory, instance_id, "Task_11"):
            task_user = _pj_of_task(session, task_id)
            comments.add_comment(session, task_user, task_id, "Data triwulan sudah lengkap", T0)
        session.commit()
    later = run_to_decision(factory, [instance_id], T0)
    engine.dispose()
    return instance_id, later


def _pj_of_task(session, task_id: int) -> User:
    task = session.get(HumanTask, task_id)
    return session.scalars(select(User).where(User.opd_id == task.opd_id)).first()


def signed_in(app, username: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    answer = client.post("/login", data={"csrf_token": token, "username": username,
                                         "password": password})
    assert answer.status_code == 302, answer.status_code
    return client


def timed(call) -> float:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return median_ms(samples)


def api_token(app, username: str, moment) -> str:
    factory = app.extensions["alur"].session_factory
    with unit_of_work(factory) as session:
        person = session.scalars(select(User).where(User.username == username)).one()
        token = issue_token(session, person, moment)[0]
        session.commit()
    return token


def main() -> None:
    n_opds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    url = fresh_database(os.environ.get("BENCH_DATABASE_URL"), "reads")
    instance_id, later = build_run(url, n_opds)
    os.environ.setdefault("ALUR_SECRET_KEY", "bench")
    from webapp import create_app

    app = create_app({"DATABASE_URL": url, "NOW": later + timedelta(minutes=5),
                      "UPLOAD_DIR": tempfile.mkdtemp(prefix="alur-bench-uploads-")})
    factory = app.extensions["alur"].session_factory
    row17 = open_ids(factory, instance_id, "Task_17")[0]
    kepala = signed_in(app, "kepala", DEMO_PASSWORD)
    tim = signed_in(app, "tim1", DEMO_PASSWORD)
    pj = signed_in(app, "pj000", PASSWORD)
    events = f"/api/v1/instances/{instance_id}/events?limit=200"
    tim_token, pj_token = api_token(app, "tim1", later), api_token(app, "pj000", later)
    figures = {
        "row 17 task page, Kepala (evidence of every step)": timed(
            lambda: kepala.get(f"/tasks/{row17}")),
        "instance page, Tim": timed(lambda: tim.get(f"/instances/{instance_id}")),
        "instance page, PJ (filtered history)": timed(lambda: pj.get(f"/instances/{instance_id}")),
        "events API, Tim (limit 200)": timed(lambda: tim.get(
            events, headers={"Authorization": f"Bearer {tim_token}"})),
        "events API, PJ (filtered)": timed(lambda: pj.get(
            events, headers={"Authorization": f"Bearer {pj_token}"})),
    }
    started = time.perf_counter()
    for _ in range(5):
        signed_in(app, "tim2", DEMO_PASSWORD)
    figures["sign-in (argon2 + throttle)"] = (time.perf_counter() - started) / 5 * 1000
    print(f"reads with {n_opds} OPDs at row 17, {REPEAT} requests each, median ms "
          f"({'PostgreSQL' if url.startswith('postgresql') else 'SQLite'})")
    for name, value in figures.items():
        print(f"  {name:55s} {value:8.1f}")
    app.extensions["alur"].engine.dispose()


if __name__ == "__main__":
    main()
