"""Schemathesis against the live app: every operation of /api/v1/openapi.json, fuzzed.

The app runs in-process (WSGI) over a database of its own, made here and dropped after:
an SQLite file in a tmp dir, and on PostgreSQL a database `<test database>_fuzz` on
TEST_DATABASE_URL's server. So the fuzzer may start runs, deploy, comment and revoke for
real without touching the shared test database. Before fuzzing, one Pelaksanaan is started
and its first row completed, so small ids name real rows.

Each operation is fuzzed three ways (the document's examples, valid and invalid input), at
most MAX_EXAMPLES cases each, every case with a demo user's bearer token (two roles, in
turn); every answer must be below 500 and match the document: a documented status code,
its content type and its schema. A failure prints schemathesis's reproducer (curl).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text
from sqlalchemy.engine import make_url

from engine.db import make_engine, unit_of_work
from engine.services import users
from tests.conftest import PG_SKIP, PG_URL, T0, build_database
from tests.support import make_factory, start_committed

MAX_EXAMPLES = int(os.environ.get("ALUR_FUZZ_EXAMPLES", "10"))
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance)
# The demo users whose tokens the fuzzer sends, in turn: an administrator (audit reader and
# modeler) and a Tim Kelembagaan member (who acts on the first rows' tasks).
USERS = ("admin", "tim1")


def _fuzz_database(kind: str, tmp_path_factory) -> tuple[str, str | None]:
    """A fresh database for the fuzzer; the second value is the PG database to drop."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}", None
    if not PG_URL:
        pytest.skip(PG_SKIP)
    parsed = make_url(PG_URL)
    name = f"{parsed.database}_fuzz"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False), name


def _admin_sql(*statements: str) -> None:
    engine = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


class Tokens:
    """Bearer tokens of the fuzzing users, taken in turn case by case (two roles for the
    price of one run), issued through the service (no sign-in throttle) and issued anew
    whenever the fuzzer may have revoked one."""

    def __init__(self, app, usernames: tuple[str, ...]):
        self.factory, self.usernames = app.extensions["alur"].session_factory, usernames
        self.current: dict[str, str] = {}
        self.calls = 0
        self.statuses: Counter = Counter()  # (operation, status) -> answers, for -s runs

    def header(self) -> dict:
        self.calls += 1
        username = self.usernames[self.calls % len(self.usernames)]
        if username not in self.current:
            with unit_of_work(self.factory) as session:
                user = users.get_by_username(session, username)
                self.current[username], _row = users.issue_token(session, user, T0, "fuzz")
                session.commit()
        return {"Authorization": f"Bearer {self.current[username]}"}

    def after(self, case, response) -> None:
        self.statuses[(case.operation.label, response.status_code)] += 1
        if case.method.upper() == "DELETE" and "/auth/token" in case.path:
            self.current.clear()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_app(request, tmp_path_factory):
    from webapp import create_app

    url, pg_name = _fuzz_database(request.param, tmp_path_factory)
    build_database(url)
    factory = make_factory(url)
    start_committed(factory, T0, rows=("Task_01",))
    factory.kw["bind"].dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALUR_SECRET_KEY", "fuzz-tests-only")
        folder = tmp_path_factory.mktemp("fuzz-uploads")
        app = create_app({"DATABASE_URL": url, "TESTING": True, "NOW": T0,
                          "UPLOAD_DIR": str(folder)})
        app.config["FUZZ_TOKENS"] = Tokens(app, USERS)
        yield app
        app.extensions["alur"].engine.dispose()
    if pg_name:
        _admin_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def test_api_conforms_to_its_document(fuzz_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    tokens = fuzz_app.config["FUZZ_TOKENS"]
    problems = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = {
            "examples": st.one_of(schema.get_strategies_from_examples(operation) or [st.nothing()]),
            "positive": operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            "negative": operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        }
        for name, strategy in strategies.items():
            problem = _fuzz(operation, name, strategy, tokens)
            if problem:
                problems.append(problem)
    print(_summary(tokens.statuses))
    assert not problems, "\n\n".join(problems)


def _summary(statuses: Counter) -> str:
    """Per operation, how many answers of each status the fuzzer got."""
    by_operation: dict[str, list[str]] = {}
    for (label, status), count in sorted(statuses.items()):
        by_operation.setdefault(label, []).append(f"{status}x{count}")
    return "\n".join(f"{label}: {' '.join(counts)}" for label, counts in by_operation.items())


def _fuzz(operation, name: str, strategy, tokens: Tokens) -> str | None:
    """Up to MAX_EXAMPLES cases of one operation; the first failure with its reproducer."""
    seen = []

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=strategy)
    def run(case):
        seen[:] = [case]
        response = case.call(headers=tokens.header())
        tokens.after(case, response)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # no examples, or nothing to make invalid (no parameters, no body)
        return None
    except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported with its case
        case = seen[0] if seen else None
        curl = case.as_curl_command() if case is not None else ""
        return f"{operation.label} ({name}): {error}\n{curl}"
    return None
