"""Row 10 over the API: the task detail offers the OPD's SIRUP packages of the run's year
and the run's planned indicators, with the fact that says which fields the form shows; a
pick that is not the OPD's is a 400 naming the field, and nothing is written."""

from __future__ import annotations

from tests.conftest import T0
from tests.engine.services.pick_support import OWN_PACKAGE, PICK_FIELD, add_package, picked
from tests.support import PLANNING, answers, run_rows_committed
from tests.webapp.api_support import (  # noqa: F401  (fixtures)
    ApiClient,
    api_fixture,
    api_template_fixture,
    find_open,
    pg_api_fixture,
    start_instance,
)


def run_to_row_10(api: ApiClient) -> dict[str, tuple[str, dict]]:
    """Packages for DINKES 2026 and DPUPR 2026, a run planned; {OPD: (PJ, row-10 task)}."""
    with api.session_factory() as session:
        add_package(session, T0, "DINKES", "50000001", nama="Rehabilitasi puskesmas",
                    pagu="1500000000")
        add_package(session, T0, "DPUPR", "60000001", nama="Jalan lingkar")
        session.commit()
    instance_id = start_instance(api)["id"]
    run_rows_committed(api.session_factory, instance_id, PLANNING, T0)
    return {task["opd"]["code"]: (username, task)
            for username, task in find_open(api, instance_id, "Task_10")}


def test_row_10_offers_packages_and_refuses_another_opds(api):
    run_api_row_10(api)


def test_row_10_offers_packages_and_refuses_another_opds_on_postgresql(pg_api):
    run_api_row_10(pg_api)


def run_api_row_10(api: ApiClient) -> None:
    rows = run_to_row_10(api)
    username, task = rows["DINKES"]
    detail = api.ok(api.get(username, f"/tasks/{task['id']}"))
    assert set(detail["options"]) == {"paket_opd", "indikator_rencana"}
    [package] = detail["options"]["paket_opd"]
    assert (package["value"], package["nama_paket"], package["pagu"]) == (
        "50000001", "Rehabilitasi puskesmas", 1500000000)
    assert [o["value"] for o in detail["options"]["indikator_rencana"]] == ["IKU-01", "IKU-02"]
    assert detail["data"]["sumber_paket"] == "sirup"

    before, row_before = api.counts(), api.task_row(task["id"])
    bad = api.post(username, f"/tasks/{task['id']}/complete", picked("60000001"))
    assert bad.status_code == 400
    error = bad.get_json()["error"]
    assert error["code"] == "invalid_form_data"
    assert error["details"] == {PICK_FIELD: [OWN_PACKAGE]}
    assert (api.counts(), api.task_row(task["id"])) == (before, row_before)

    # the data given back (with its fact) and a pick of the OPD's own package
    body = {**detail["data"], **picked("50000001")}
    done = api.ok(api.post(username, f"/tasks/{task['id']}/complete", body))
    assert done["state"] == "completed"
    stored = api.ok(api.get(username, f"/tasks/{task['id']}"))["data"]["pemetaan"]["paket"][0]
    assert (stored["kode_rup"], stored["nama_paket"], stored["pagu"]) == (
        "50000001", "Rehabilitasi puskesmas", 1500000000)

    pj, none = rows["DISDIKBUD"]
    free = api.ok(api.get(pj, f"/tasks/{none['id']}"))
    assert free["options"]["paket_opd"] == [] and free["data"]["sumber_paket"] == "isian"
    api.ok(api.post(pj, f"/tasks/{none['id']}/complete", answers("pemetaan-paket")))


def test_an_indicator_outside_the_plan_is_refused_over_the_api(api):
    rows = run_to_row_10(api)
    username, task = rows["DINKES"]
    bad = answers("pemetaan-paket")
    bad["pemetaan"]["paket"][0]["kode_indikator"] = "IKU-42"
    refused = api.post(username, f"/tasks/{task['id']}/complete",
                       {**bad, **picked("50000001", kode_indikator="IKU-42")})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["details"] == {
        "pemetaan.paket[0].kode_indikator": ["Not an indicator planned at row 2 of this run"]}
