"""What a process owner waits for in the modeler: a deploy, a diff, the editor's first drawing.

On a fresh database (SQLite by default; PostgreSQL when BENCH_DATABASE_URL, ALUR_BENCH_PG
or TEST_DATABASE_URL is set: its public schema is rebuilt) with the demo people and the
SOP deployed, prints with its goal:

- deploy: the median server time to validate and deploy the SOP (the diagram and its 20
  forms, about 80 KB) as a process owner, through the same call the editor's Deploy
  button and the API make (engine.services.definitions.deploy_checked), commit included.
  Each deploy is a slightly changed copy (row 1's name and one form label), so each one
  is validated and stored as a new version; also over HTTP (POST
  /api/v1/definitions/<key>/versions, JSON) when that endpoint answers. Goal < 300 ms.
- diff: the median time to compute the changes between two versions
  (engine.services.diffs.compare_contents, the pure comparison, and diff_versions, which
  also reads both versions). Goal < 200 ms.
- the modeler page's bundle (webapp/static/dist/modeler.js + modeler.css), gzip-compressed.
- modeler ready: in headless Chromium (Debian's /usr/bin/chromium), the time from
  navigation start on the editor page (/pemodel/draf/<id>) until every shape of the SOP's
  main diagram is in the DOM; the first load and the median of the next ones. Goal < 1.5 s.

A part whose code is missing (no modeler bundle yet, no editor page, no Chromium) says so
and the others still run. Usage: python bench/deploy.py
"""

from __future__ import annotations

import copy
import gzip
import json
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from scenarios import ROOT, SOP_BPMN, SOP_KEY, T0, fresh_database, make_factory, median_ms, seed
from sqlalchemy import func, select

from engine.db import make_engine, read_only, unit_of_work
from engine.models import Definition, DefinitionVersion, User
from engine.services import definitions, deployments, diffs, processdrafts
from engine.services.demo import DEMO_PASSWORD
from engine.services.users import issue_token

SAMPLES = 15
LOADS = 7
OWNER = "pemilik"
CHANGED_FORM = "mulai-pelaksanaan"
ROW_1_NAME = re.compile(r'(<bpmn:userTask id="Task_01" name=")([^"]*)(")')
DIST = ROOT / "webapp" / "static" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
GOALS = {"deploy": 300.0, "diff": 200.0, "ready": 1500.0}


def database_url() -> str | None:
    for name in ("BENCH_DATABASE_URL", "ALUR_BENCH_PG", "TEST_DATABASE_URL"):
        if os.environ.get(name):
            return os.environ[name]
    return None


def verdict(value: float, goal: float) -> str:
    return f"goal < {goal:.0f} ms: {'met' if value < goal else 'MISSED'}"


# ---- content: the SOP, changed a little each time ---------------------------------------

def sop_content() -> tuple[str, dict]:
    return SOP_BPMN.read_text(encoding="utf-8"), deployments.load_forms_dir(ROOT / "forms")


def changed_copy(xml: str, forms: dict, n: int) -> tuple[bytes, dict]:
    """The SOP with row 1's name and the first labelled field of one form changed."""
    text = ROW_1_NAME.sub(lambda m: f"{m[1]}{m[2]} (salinan {n}){m[3]}", xml, count=1)
    changed = copy.deepcopy(forms)
    field = next(c for c in changed[CHANGED_FORM]["components"] if c.get("label"))
    field["label"] = f"{field['label']} (salinan {n})"
    return text.encode("utf-8"), changed


def content_kb(xml: str, forms: dict) -> float:
    forms_size = sum(len(json.dumps(form).encode("utf-8")) for form in forms.values())
    return (len(xml.encode("utf-8")) + forms_size) / 1024


def owner(session) -> User:
    return session.scalars(select(User).where(User.username == OWNER)).one()


# ---- deploy and diff through the services -----------------------------------------------

def deploy_once(factory, data: bytes, forms: dict) -> float:
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        deployment = definitions.deploy_checked(
            session, owner(session), filename=SOP_BPMN.name, data=data, forms=forms, now=T0)
        session.commit()
    assert deployment.created, "a changed copy must be a new version"
    return time.perf_counter() - started


def deploy_ms(factory, xml: str, forms: dict) -> float:
    deploy_once(factory, *changed_copy(xml, forms, 0))  # warm-up: imports, first parse
    return median_ms([deploy_once(factory, *changed_copy(xml, forms, n))
                      for n in range(1, SAMPLES + 1)])


def version_of(session, number: int) -> DefinitionVersion:
    return session.scalars(select(DefinitionVersion).join(Definition).where(
        Definition.key == SOP_KEY, DefinitionVersion.version == number)).one()


def diff_ms(factory) -> tuple[float, float, int]:
    """(compare_contents, diff_versions, number of changes) between the first version and
    the newest changed copy."""
    pure, full, changes = [], [], 0
    with read_only(factory) as session:
        first, last = 1, session.scalar(select(func.max(DefinitionVersion.version)))
        old, new = version_of(session, first), version_of(session, last)
        for _ in range(SAMPLES + 1):
            started = time.perf_counter()
            found = diffs.compare_contents(old.bpmn_xml, old.forms, new.bpmn_xml, new.forms,
                                           old_lane_roles=old.lane_roles,
                                           new_lane_roles=new.lane_roles)
            pure.append(time.perf_counter() - started)
            changes = len(found)
    for _ in range(SAMPLES + 1):
        started = time.perf_counter()
        with read_only(factory) as session:
            diffs.diff_versions(session, owner(session), SOP_KEY, first, last)
        full.append(time.perf_counter() - started)
    return median_ms(pure[1:]), median_ms(full[1:]), changes


# ---- the app: over HTTP, and in a browser -----------------------------------------------

def make_app(url: str):
    os.environ.setdefault("ALUR_SECRET_KEY", "bench")
    from webapp import create_app

    return create_app({"DATABASE_URL": url, "NOW": T0,
                       "UPLOAD_DIR": tempfile.mkdtemp(prefix="alur-bench-uploads-")})


def api_deploy_ms(app, xml: str, forms: dict) -> float | str:
    factory = app.extensions["alur"].session_factory
    with unit_of_work(factory) as session:
        token = issue_token(session, owner(session), T0)[0]
        session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/definitions/{SOP_KEY}/versions"
    samples = []
    for n in range(100, 101 + SAMPLES):
        data, changed = changed_copy(xml, forms, n)
        body = {"bpmn_xml": data.decode("utf-8"), "forms": changed}
        started = time.perf_counter()
        answer = client.post(path, json=body, headers=headers)
        samples.append(time.perf_counter() - started)
        if answer.status_code != 201:
            return f"not measured: the API answered {answer.status_code}"
    return median_ms(samples[1:])


def bundle_kb(name: str) -> tuple[float, float] | None:
    """(raw, gzip) kilobytes of dist/<name>.js + dist/<name>.css, None when not built."""
    files = [DIST / f"{name}.{ext}" for ext in ("js", "css")]
    if not files[0].exists() or files[0].stat().st_size < 1024:
        return None
    data = [f.read_bytes() for f in files if f.exists()]
    return (sum(len(d) for d in data) / 1024,
            sum(len(gzip.compress(d, compresslevel=6)) for d in data) / 1024)


def main_shape_ids(xml: str) -> list[str]:
    """The shapes of the SOP's main diagram (its first plane), which the editor draws first."""
    first_plane = xml.split("<bpmndi:BPMNPlane", 2)[1]
    return re.findall(r'<bpmndi:BPMNShape[^>]*bpmnElement="([^"]+)"', first_plane)


WATCH_SHAPES = """(() => {
  const ids = %s;
  const drawn = () => ids.every((id) => document.querySelector(
    `.djs-element[data-element-id="${CSS.escape(id)}"]`));
  const observer = new MutationObserver(() => {
    if (window.__alurDrawnAt === undefined && drawn()) {
      window.__alurDrawnAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})();"""


def serve(app):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="bench-server", daemon=True).start()
    return server


def new_draft(factory) -> int:
    with unit_of_work(factory) as session:
        version = session.scalars(select(DefinitionVersion).join(Definition).where(
            Definition.key == SOP_KEY).order_by(DefinitionVersion.version)).first()
        draft = processdrafts.create_from_version(session, owner(session), version.id, T0)
        session.commit()
        return draft.id


def ready_ms(app, xml: str) -> tuple[float, float] | str:
    """(first load, median of the next LOADS) in ms, or why it could not be measured."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "not measured: playwright is not installed"
    if not CHROMIUM.exists():
        return f"not measured: {CHROMIUM} is missing"
    server = serve(app)
    base = f"http://127.0.0.1:{server.server_port}"
    url = f"{base}/pemodel/draf/{new_draft(app.extensions['alur'].session_factory)}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
            page.context.add_init_script(WATCH_SHAPES % json.dumps(main_shape_ids(xml)))
            sign_in(page, base)
            times = [load_once(page, url) for _ in range(LOADS + 1)]
            browser.close()
    except TimeoutError as error:
        return f"not measured: {error}"
    finally:
        server.shutdown()
    return times[0], median_ms([t / 1000 for t in times[1:]])


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", OWNER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def load_once(page, url: str) -> float:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    answer = page.goto(url, wait_until="commit")
    if answer is None or answer.status != 200:
        raise TimeoutError(f"the editor page answered {answer.status if answer else 'nothing'}")
    try:
        page.wait_for_function("() => window.__alurDrawnAt !== undefined", timeout=30_000)
    except PlaywrightTimeout as error:
        raise TimeoutError("the SOP's shapes never all appeared on the editor page") from error
    return page.evaluate("window.__alurDrawnAt")


# ---- the report --------------------------------------------------------------------------

def line(label: str, value: float | str, goal: float | None = None, note: str = "") -> None:
    """One figure: `value` in ms with its goal, or a sentence saying why there is none."""
    if isinstance(value, str):
        print(f"  {label:45s}{value}")
        return
    verdict_text = f"   {verdict(value, goal)}" if goal is not None else ""
    print(f"  {label:45s}{value:8.1f} ms{verdict_text}{note}")


def main() -> None:
    url = fresh_database(database_url(), "deploy")
    engine = make_engine(url)
    factory = make_factory(engine)
    seed(factory, 0)
    xml, forms = sop_content()
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"modeler benchmarks ({kind}); SOP content {content_kb(xml, forms):.0f} KB "
          f"(diagram and {len(forms)} forms); medians of {SAMPLES}")
    line("validate + deploy (service, commit included)", deploy_ms(factory, xml, forms),
         GOALS["deploy"])
    pure, full, changes = diff_ms(factory)
    line("diff of two versions (compare_contents)", pure, GOALS["diff"], f"  ({changes} changes)")
    line("diff of two versions (diff_versions, reads)", full, GOALS["diff"])
    engine.dispose()
    app = make_app(url)
    line("validate + deploy over HTTP (JSON API)", api_deploy_ms(app, xml, forms),
         GOALS["deploy"])
    print_bundles()
    ready = ready_ms(app, xml)
    if isinstance(ready, str):
        line("modeler ready in Chromium", ready)
    else:
        line("modeler ready in Chromium, first load", ready[0], GOALS["ready"])
        line(f"modeler ready in Chromium, median of {LOADS} more", ready[1], GOALS["ready"])
    app.extensions["alur"].engine.dispose()


def print_bundles() -> None:
    for name in ("modeler", "formeditor", "diff"):
        sizes = bundle_kb(name)
        label = f"bundle {name}.js + {name}.css"
        if sizes is None:
            line(label, "not built yet (cd frontend && npm run build)")
        else:
            print(f"  {label:45s}{sizes[1]:8.1f} KB gzip ({sizes[0]:.0f} KB raw)")


if __name__ == "__main__":
    main()
