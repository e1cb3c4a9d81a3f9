"""Browser tests: the app on a real HTTP server in a thread, driven by headless Chromium.

Each module gets a fresh SQLite database built like tests/conftest.py's (migrations plus
reference data) and a server on 127.0.0.1 with a free port. Debian's chromium is used
(`apt-get install chromium`); without it the tests skip and say so. A failing test leaves
a screenshot of every page it had open in test-results/ (git-ignored); ALUR_SCREENSHOTS=1
also keeps the screenshots tests take along the way.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from tests.conftest import build_database

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

SKIP_REASON = (f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) "
               "to run the browser tests")

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_api = None
    SKIP_REASON = "the playwright package is not installed (pip install -e '.[dev]')"

requires_chromium = pytest.mark.skipif(not CHROMIUM.exists() or sync_api is None,
                                       reason=SKIP_REASON)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)



class LiveServer:
    def __init__(self, app, url: str, database_url: str):
        self.app, self.url, self.database_url = app, url, database_url

    @property
    def session_factory(self):
        return self.app.extensions["alur"].session_factory


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    from werkzeug.serving import make_server

    from webapp import create_app

    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{folder / 'browser.sqlite3'}"
    build_database(database_url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALUR_SECRET_KEY", "browser-tests-only")
        app = create_app({"DATABASE_URL": database_url, "UPLOAD_DIR": str(folder / "uploads")})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", database_url)
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["alur"].engine.dispose()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


class People:
    """One browser context (own cookies) per person, in Indonesian, signed in on first use."""

    def __init__(self, browser, server: LiveServer):
        self.browser, self.server = browser, server
        self.pages: dict[str, object] = {}

    def page(self, username: str):
        if username not in self.pages:
            context = self.browser.new_context(
                locale="id-ID", timezone_id="Asia/Jakarta", viewport={"width": 1366, "height": 900})
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.goto(f"{self.server.url}/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "demo12345")
            page.click("button[type=submit]")
            page.wait_for_selector("[data-testid=current-user]")
            self.pages[username] = page
        return self.pages[username]

    def close(self):
        for page in self.pages.values():
            page.context.close()


def screenshot_name(nodeid: str, suffix: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    return RESULTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', nodeid)}-{suffix}.png"


@pytest.fixture()
def people(browser, live_server, request):
    crew = People(browser, live_server)
    yield crew
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        for username, page in crew.pages.items():
            path = screenshot_name(request.node.nodeid, username)
            page.screenshot(path=str(path), full_page=True)
    crew.close()


@pytest.fixture()
def snap(request):
    """snap(page, "step"): a step of a flow worth looking at. axe-core checks the page as it
    is (no serious or critical WCAG 2.1 AA violation), and a screenshot is kept when
    ALUR_SCREENSHOTS=1."""
    from tests.browser.watch import assert_accessible

    def take(page, label: str) -> None:
        if os.environ.get("ALUR_SCREENSHOTS") == "1":
            page.screenshot(path=str(screenshot_name(request.node.name, label)), full_page=True)
        assert_accessible(page)
    return take
