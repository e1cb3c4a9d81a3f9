"""What the API's forms accept and offer: every option list a form needs comes with the
task, `sop_step` is a number, required lists need a complete row (problems keyed by row
and field), decisions start empty and a new period's end is checked and proposed."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import T0
from tests.job_support import run_jobs
from tests.support import PLANNING, answers, run_rows_committed
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    ApiClient,
    api_fixture,
    api_template_fixture,
    complete_all_over_api,
    find_open,
    pg_api_fixture,
    run_rows_over_api,
    start_instance,
)


def run_rows(api: ApiClient, instance_id: int, *element_ids: str, **overrides) -> None:
    """Set-up through the services (rows before the one a test drives over HTTP)."""
    run_rows_committed(api.session_factory, instance_id, element_ids, T0, **overrides)


def open_detail(api: ApiClient, instance_id: int, element_id: str) -> tuple[str, dict]:
    [(username, task)] = find_open(api, instance_id, element_id)
    return username, api.ok(api.get(username, f"/tasks/{task['id']}"))


def components(form: dict) -> list[dict]:
    found, stack = [], list(form["components"])
    while stack:
        comp = stack.pop(0)
        found.append(comp)
        stack.extend(comp.get("components") or [])
    return found


def test_an_api_client_fills_row_7_from_the_task_detail_alone(api):
    run_api_row_7(api)


def test_an_api_client_fills_row_7_on_postgresql(pg_api):
    run_api_row_7(pg_api)


def run_api_row_7(api: ApiClient) -> None:
    instance_id = start_instance(api)["id"]
    run_rows(api, instance_id, *PLANNING[:6])
    username, detail = open_detail(api, instance_id, "Task_07")
    assert detail["sop_step"] == 7
    # every valuesKey of the form has its list in `options`, and only those
    keys = {c["valuesKey"] for c in components(detail["form"]) if c.get("valuesKey")}
    assert set(detail["options"]) == keys == {"daftar_opd"}
    choices = detail["options"]["daftar_opd"]
    assert {"label": "Dinas Kesehatan", "value": "DINKES"} in choices
    body = {"nomor_surat_edaran": "027/01/UKPBJ/2026", "tanggal_surat_edaran": "2026-01-12",
            "opd_peserta": [choice["value"] for choice in choices[:2]]}
    done = api.ok(api.post(username, f"/tasks/{detail['id']}/complete", body))
    assert done["state"] == "completed" and done["sop_step"] == 7


def test_a_form_without_option_lists_offers_none(api):
    instance_id = start_instance(api)["id"]
    _, detail = open_detail(api, instance_id, "Task_01")
    assert detail["options"] == {}
    assert detail["sop_step"] == 1


def test_sop_step_is_an_integer_and_filters_as_one(api):
    instance_id = start_instance(api)["id"]
    page = api.ok(api.get("tim1", "/tasks", sop_step=1))
    assert [task["sop_step"] for task in page["items"]] == [1]
    assert api.ok(api.get("tim1", "/tasks", sop_step="2"))["total"] == 0
    refused = api.get("tim1", "/tasks", sop_step="satu")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "invalid_parameter"
    assert "sop_step" in refused.get_json()["error"]["details"]
    assert instance_id


def test_row_2_needs_an_indicator_and_names_the_half_filled_row(api):
    instance_id = start_instance(api)["id"]
    run_rows_over_api(api, instance_id, "Task_01")
    username, detail = open_detail(api, instance_id, "Task_02")
    before = api.counts()
    empty = api.post(username, f"/tasks/{detail['id']}/complete", {"indikator": [{}]})
    assert empty.status_code == 400
    assert empty.get_json()["error"]["details"] == {
        "indikator": ["Add at least one complete row"]
    }
    complete = answers("perencanaan-indikator")["indikator"][0]
    half = {"kode": "IKU-02", "nama": "Paket gagal", "formula": "a / b", "polaritas": "minimal",
            "frekuensi": "triwulanan"}
    refused = api.post(username, f"/tasks/{detail['id']}/complete",
                       {"indikator": [complete, half]})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["details"] == {
        "indikator[1].satuan": ["This field is required"]
    }
    assert api.counts() == before


def test_the_revision_round_of_row_6_starts_with_no_decision(api):
    instance_id = start_instance(api)["id"]
    run_rows_over_api(api, instance_id, *PLANNING[:5])
    complete_all_over_api(api, instance_id, "Task_06", keputusan_rencana="perbaiki",
                          catatan_perbaikan="Perbaiki target")
    run_rows(api, instance_id, *PLANNING[:5])
    _, detail = open_detail(api, instance_id, "Task_06")
    assert detail["data"]["keputusan_rencana"] is None
    assert detail["sop_step"] == 6


def test_period_ends_are_checked_and_proposed(api):
    instance_id = start_instance(api)["id"]
    run_rows(api, instance_id, *PLANNING[:8])
    username, row9 = open_detail(api, instance_id, "Task_09")
    body = answers("laporan-sosialisasi", akhir_periode="2026-01-04")  # T0 is 5 January
    refused = api.post(username, f"/tasks/{row9['id']}/complete", body)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["details"] == {
        "akhir_periode": ["May not be before today (2026-01-05)"]
    }
    run_rows(api, instance_id, "Task_09", "Task_10", "Task_11")
    due = datetime.fromisoformat(api.ok(api.get("tim1", f"/instances/{instance_id}"))
                                 ["next_due_at"])
    api.clock.now = due + timedelta(hours=2)
    run_jobs(api.session_factory, api.clock.now)
    run_rows_committed(api.session_factory, instance_id,
                       [f"Task_{row}" for row in range(12, 17)], api.clock.now)
    username, row17 = open_detail(api, instance_id, "Task_17")
    assert row17["data"]["keputusan_periode"] is None
    assert row17["data"]["akhir_periode"] == "2026-02-28"  # monthly: after 31 January
    same = answers("keputusan-periode", akhir_periode="2026-01-31")
    refused = api.post(username, f"/tasks/{row17['id']}/complete", same)
    assert refused.get_json()["error"]["details"] == {
        "akhir_periode": ["Must be after the end of the previous period (2026-01-31)"]
    }
    proposed = answers("keputusan-periode", akhir_periode=row17["data"]["akhir_periode"])
    api.ok(api.post(username, f"/tasks/{row17['id']}/complete", proposed))
