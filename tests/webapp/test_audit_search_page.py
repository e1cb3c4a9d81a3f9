"""The audit search page (`/audit/`, audit.search): for auditors, administrators and the
Kepala UKPBJ only; filters from the query string, sortable columns, page links, counts;
every result links to the run's history; a bad value is named beside its field with what
was typed kept, answered 400 and never 500. The header links to it (and to the admin
pages) for those who may open them."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import insert, select

from engine.models import ProcessInstance
from tests.conftest import PG_SKIP, PG_URL, T0
from tests.support import PLANNING, start_committed, start_sop, user
from tests.webapp.access_support import Visitor, database_for, make_app

ROW = re.compile(r'data-testid="run-row" data-registration="([^"]+)"')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """Three runs: one at row 3 (rows 1-2 done), one just started 12 days later, one
    completed; plus 27 quiet runs written straight into the table for the paging."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    tmp = tmp_path_factory.mktemp(f"audit-search-{request.param}")
    app = make_app(database_for(request.param, tmp, "audit_search"), tmp / "uploads")
    factory = app.extensions["alur"].session_factory
    ids = {"working": start_committed(factory, T0, PLANNING[:2])}
    with factory() as session:
        ids["new"] = start_sop(session, T0 + timedelta(days=12), judul="Evaluasi Konstruksi").id
        done = start_sop(session, T0 + timedelta(days=1), judul="Rekap Selesai")
        done.status = "completed"
        ids["done"] = done.id
        session.commit()
    people = {name: Visitor(app, name) for name in ("auditor", "admin", "kepala", "tim1",
                                                    "pj.dinkes", "pemilik")}
    yield app, ids, people
    app.extensions["alur"].engine.dispose()


def page(person: Visitor, query: str = "", status: int = 200) -> str:
    response = person.request("GET", f"/audit/{query}", buffered=True)
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def regnos(app, *keys, ids) -> list[str]:
    with app.extensions["alur"].session_factory() as session:
        return [session.get(ProcessInstance, ids[key]).registration_no for key in keys]


def test_only_audit_readers_open_it_and_the_header_links_to_it(world):
    app, ids, people = world
    for name in ("auditor", "admin", "kepala"):
        shown = page(people[name])
        assert 'data-testid="nav-audit"' in shown and 'data-testid="search-form"' in shown
        assert ('data-testid="nav-admin"' in shown) is (name == "admin")
    for name in ("tim1", "pj.dinkes", "pemilik"):
        refused = page(people[name], status=403)
        assert 'data-testid="error-message"' in refused
        home = people[name].request("GET", "/", buffered=True).get_data(as_text=True)
        assert 'data-testid="nav-audit"' not in home and 'data-testid="nav-admin"' not in home
    anonymous = app.test_client().get("/audit/", buffered=True)
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_results_link_to_each_runs_history_with_counts(world):
    app, ids, people = world
    shown = page(people["auditor"])
    working, new, done = regnos(app, "working", "new", "done", ids=ids)
    assert ROW.findall(shown) == [new, done, working]  # newest first
    with app.test_request_context():
        target = "audit.history" if "audit.history" in app.view_functions else "inbox.instance"
        link = url_for(target, instance_id=ids["working"])
    assert f'href="{link}"' in shown
    counts = {status: re.search(rf'data-testid="count-{status}"[^>]*>[^<]*<span class="count">'
                                r'(\d+)<', shown).group(1)
              for status in ("all", "running", "completed")}
    assert counts == {"all": "3", "running": "2", "completed": "1"}
    only_done = page(people["auditor"], "?status=completed")
    assert re.search(r'data-testid="count-running" aria-current', only_done) is None
    assert re.search(r'data-testid="count-completed" aria-current="page"', only_done)
    assert re.search(r'data-testid="count-running"[^>]*>[^<]*<span class="count">2<', only_done)


def test_filters_from_the_query_string(world):
    app, ids, people = world
    working, new, done = regnos(app, "working", "new", "done", ids=ids)
    auditor = people["auditor"]
    assert ROW.findall(page(auditor, "?status=completed")) == [done]
    assert ROW.findall(page(auditor, "?q=evaluasi")) == [new]
    assert ROW.findall(page(auditor, f"?q={working.lower()}")) == [working]
    first_day = T0.date().isoformat()
    assert ROW.findall(page(auditor, f"?from={first_day}&until={first_day}")) == [working]
    assert ROW.findall(page(auditor, "?opd=DINKES")) == []
    assert 'data-testid="empty-state"' in page(auditor, "?opd=DINKES")
    with app.extensions["alur"].session_factory() as session:
        version_id = session.get(ProcessInstance, ids["new"]).version_id
    assert len(ROW.findall(page(auditor, f"?version={version_id}&definition="
                                         "sop_pengelolaan_kinerja"))) == 3


def test_the_late_filter_follows_the_clock(world):
    app, ids, people = world
    working, new, done = regnos(app, "working", "new", "done", ids=ids)
    auditor = people["auditor"]
    assert ROW.findall(page(auditor, "?late=1")) == []
    app.config["NOW"] = T0 + timedelta(days=40)  # a new sign-in: the others' sessions idled
    try:
        late = page(Visitor(app, "auditor"), "?late=1")
        assert set(ROW.findall(late)) == {working, new, done}
        assert late.count('data-testid="late-flag"') == 3
        assert 'name="late" value="1" checked' in late
    finally:
        app.config["NOW"] = T0


def test_sortable_columns_say_how_they_are_sorted(world):
    app, ids, people = world
    working, new, done = regnos(app, "working", "new", "done", ids=ids)
    auditor = people["auditor"]
    by_title = page(auditor, "?sort=title&dir=asc")
    assert ROW.findall(by_title) == [new, working, done]  # Evaluasi, Pengelolaan, Rekap
    assert 'aria-sort="ascending"' in by_title
    header = re.search(r'href="([^"]+)" data-testid="sort-title"', by_title).group(1)
    assert "dir=desc" in html.unescape(header) and "sort=title" in html.unescape(header)
    newest_events = page(auditor, "?sort=events")
    assert ROW.findall(newest_events)[0] == working and 'aria-sort="descending"' in newest_events


def test_page_links_past_25_runs(world):
    app, ids, people = world
    factory = app.extensions["alur"].session_factory
    with factory() as session:
        version_id = session.get(ProcessInstance, ids["new"]).version_id
        session.execute(insert(ProcessInstance), [
            {"registration_no": f"UJI-{n:04d}", "title": f"Halaman {n:02d}",
             "version_id": version_id, "status": "running", "period_no": 0, "data": {},
             "started_at": T0 - timedelta(days=30, minutes=n), "updated_at": T0,
             "event_count": 0, "row_version": 1} for n in range(27)])
        session.commit()
    try:
        auditor = people["auditor"]
        first = page(auditor)
        assert len(ROW.findall(first)) == 25
        links = re.findall(r'href="([^"]+)"( aria-current="page")? data-testid="page-link"', first)
        assert [bool(current) for _, current in links] == [True, False]
        second = page(auditor, "?page=2")
        assert len(ROW.findall(second)) == 5 and not set(ROW.findall(first)) & set(
            ROW.findall(second))
        assert 'rel="prev"' in second and 'rel="next"' not in second
        assert len(ROW.findall(page(auditor, "?page=abc"))) == 25  # no number: page 1
        assert ROW.findall(page(auditor, "?page=99")) == ROW.findall(second)
    finally:
        with factory() as session:
            for row in session.scalars(select(ProcessInstance).where(
                    ProcessInstance.registration_no.like("UJI-%"))):
                session.delete(row)
            session.commit()


BAD = {
    "period": ("abc", 'name="period" value="abc"'),
    "from": ("31/01/2026", 'type="text" id="f-from" name="from" value="31/01/2026"'),
    "until": ("2026-02-30", 'type="text" id="f-until" name="until" value="2026-02-30"'),
    "opd": ("NOPE", '<option value="NOPE" selected>NOPE</option>'),
    "status": ("lost", '<option value="lost" selected>lost</option>'),
    "sort": ("id;drop", '<option value="id;drop" selected>id;drop</option>'),
    "dir": ("up", '<option value="up" selected>up</option>'),
    "definition": ("nope", '<option value="nope" selected>nope</option>'),
    "version": ("424242", '<option value="424242" selected>424242</option>'),
}


@pytest.mark.parametrize("field", sorted(BAD))
def test_a_bad_value_is_named_beside_its_field_and_kept(world, field):
    app, ids, people = world
    typed, kept = BAD[field]
    shown = page(people["auditor"], f"?{field}={typed}&q=kept+words", status=400)
    assert f'data-testid="error-{field}"' in shown
    assert f'aria-describedby="f-{field}-error"' in shown
    assert html.unescape(kept) in html.unescape(shown)
    assert 'value="kept words"' in shown
    assert 'data-testid="run-table"' not in shown and 'data-testid="form-errors"' in shown


def test_every_bad_value_at_once_and_odd_text_never_500(world):
    app, ids, people = world
    query = "?" + "&".join(f"{name}={typed}" for name, (typed, _) in BAD.items())
    shown = page(people["auditor"], query, status=400)
    for name in BAD:
        assert f'data-testid="error-{name}"' in shown, name
    too_long = page(people["auditor"], "?q=" + "x" * 201, status=400)
    assert 'data-testid="error-q"' in too_long
    for odd in ("%25", "%5F", "'%3B--", "%E2%80%AE", "%F0%9F%98%80", "%5C"):
        assert 'data-testid="search-form"' in page(people["auditor"], f"?q={odd}")
    for name in ("q", "opd", "definition"):  # PostgreSQL refuses NUL in text: said, not 500
        assert f'data-testid="error-{name}"' in page(people["auditor"], f"?{name}=a%00b",
                                                     status=400)


def test_the_auditor_is_refused_nothing_here_and_reads_are_recorded(world):
    """The page is a read like any other: the auditor's visit lands in the read log."""
    app, ids, people = world
    from engine.models import AuditRead
    with app.extensions["alur"].session_factory() as session:
        before = len(session.scalars(select(AuditRead)).all())
    page(people["auditor"], "?q=rekap")
    with app.extensions["alur"].session_factory() as session:
        rows = session.scalars(select(AuditRead).order_by(AuditRead.id)).all()
        assert len(rows) == before + 1
        assert (rows[-1].endpoint, rows[-1].path) == ("audit.search", "/audit/?q=rekap")
        assert rows[-1].user_id == user(session, "auditor").id
