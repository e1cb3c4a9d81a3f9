"""Saved inbox filters over HTTP: chips with counts on the inbox, and the API."""

from __future__ import annotations

import pytest

from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    API,
    api_fixture,
    api_template_fixture,
    pg_api_fixture,
    start_instance,
)
from tests.webapp.inbox_support import post_form, start_run, text_of


def test_saving_the_current_filter_shows_a_chip_with_its_count(web_app, client, login):
    start_run(web_app)
    login("tim1")
    answer = post_form(client, "/filters", {"name": "Baris satu", "tab": "group", "step": "1",
                                            "sort": "due_on"}, page="/?tab=group&step=1")
    assert answer.status_code == 302 and "step=1" in answer.headers["Location"]
    html = text_of(client.get("/"))
    assert 'data-testid="saved-filter"' in html and "Baris satu" in html
    assert 'data-testid="saved-filter-count">1<' in html
    again = post_form(client, "/filters", {"name": "Baris satu", "tab": "group"}, page="/")
    assert again.status_code == 400 and 'data-testid="saved-filter-error"' in text_of(again)
    assert 'value="Baris satu"' in text_of(again)  # the typed name is kept


def test_the_kepala_shares_a_filter_and_the_role_sees_it_read_only(web_app, client, login):
    start_run(web_app)
    login("kepala")
    post_form(client, "/filters", {"name": "Langkah 1", "tab": "group", "step": "1"}, page="/")
    html = text_of(client.get("/"))
    filter_id = int(html.split('data-filter-id="')[1].split('"')[0])
    answer = post_form(client, f"/filters/{filter_id}/share", {"role": "tim_kelembagaan"},
                       page="/")
    assert answer.status_code == 302
    login.logout()
    login("tim2")
    html = text_of(client.get("/"))
    assert 'data-testid="saved-filter-shared"' in html and "Hendri Saputra" in html
    assert 'data-testid="manage-filter"' not in html  # nothing of it to manage
    refused = post_form(client, f"/filters/{filter_id}/delete", {}, page="/")
    assert refused.status_code == 403


@pytest.fixture(params=["sqlite", "postgresql"])
def http(request):
    return request.getfixturevalue("api" if request.param == "sqlite" else "pg_api")


def test_the_api_saves_lists_with_counts_and_deletes(http):
    start_instance(http)
    saved = http.ok(http.post("tim1", "/saved-filters",
                              {"name": "Baris 1", "query": {"scope": "all", "sop_step": "1"}}),
                    201)
    assert saved["count"] == 1 and saved["query"] == {"scope": "all", "sop_step": "1"}
    items = http.ok(http.get("tim1", "/saved-filters"))["items"]
    assert [(f["name"], f["count"], f["shared_with_me"]) for f in items] == [("Baris 1", 1, False)]
    assert http.ok(http.get("tim2", "/saved-filters"))["items"] == []
    gone = http.http.delete(f"{API}/saved-filters/{saved['id']}", headers=http.headers("tim2"))
    assert gone.status_code == 404
    gone = http.http.delete(f"{API}/saved-filters/{saved['id']}", headers=http.headers("tim1"))
    assert gone.status_code == 204
    assert http.ok(http.get("tim1", "/saved-filters"))["items"] == []


def test_the_api_refuses_bad_filters_with_codes(api):
    for who, body, status, code in (
        ("tim1", {"name": "x", "query": {"tab": "mine"}}, 400, "invalid_input"),
        ("tim1", {"name": "x", "query": {}, "tab": 1}, 400, "unknown_field"),
        ("tim1", {"name": "x", "query": {"scope": "semua"}}, 400, "invalid_input"),
        ("tim1", {"name": " ", "query": {}}, 400, "saved_filter_name_required"),
        ("tim1", {"name": "x", "query": {}, "shared_role": "pj_kinerja"}, 403,
         "saved_filter_share_not_allowed"),
        ("auditor", {"name": "x", "query": {}}, 403, "read_only_role"),
    ):
        answer = api.post(who, "/saved-filters", body)
        assert answer.status_code == status, answer.get_json()
        assert answer.get_json()["error"]["code"] == code
    shared = api.ok(api.post("kepala", "/saved-filters",
                             {"name": "Tim", "query": {}, "shared_role": "tim_kelembagaan"}), 201)
    [seen] = api.ok(api.get("tim1", "/saved-filters"))["items"]
    assert seen["shared_with_me"] and seen["owner"]["username"] == "kepala"
    refused = api.http.delete(f"{API}/saved-filters/{shared['id']}", headers=api.headers("tim1"))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "saved_filter_not_yours"
