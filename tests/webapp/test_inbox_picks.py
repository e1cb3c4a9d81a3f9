"""Row 10's page: the PJ picks among their OPD's SIRUP packages of the run's year (the
same list as the API's), an OPD without any types its packages in, and a pick that is
not the OPD's comes back with the problem beside the field, nothing written."""

from __future__ import annotations

import re

from tests.conftest import T0
from tests.engine.services.pick_support import add_package
from tests.support import PLANNING
from tests.webapp.inbox_support import (
    app_session,
    open_task_id,
    post_form,
    run_rows_through_services,
    snapshot,
    squash,
    start_run,
    task_state,
    text_of,
)

PICK = "pemetaan[paket][0][paket_sirup]"


def field_html(html: str, key: str) -> str:
    """The first `.field` block of the field `key` (its row's, for a list field)."""
    match = re.search(rf'<div class="field[^"]*"[^>]*data-field="{key}".*?</div>', html, re.S)
    assert match, key
    return match.group(0)


def planned_run(web_app) -> int:
    with app_session(web_app) as session:
        add_package(session, T0, "DINKES", "50000001", nama="Rehabilitasi puskesmas",
                    pagu="1500000000")
        add_package(session, T0, "DPUPR", "60000001", nama="Jalan lingkar")
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, *PLANNING)
    return instance_id


def test_a_pj_picks_their_package_on_the_page(web_app, client, login):
    task_id = open_task_id(web_app, planned_run(web_app), "Task_10", opd="DINKES")
    login("pj.dinkes")
    html = text_of(client.get(f"/tasks/{task_id}"))
    assert '<input type="hidden" name="sumber_paket" value="sirup" data-fact>' in html
    pick = field_html(html, "paket_sirup")
    assert "hidden" not in pick.split(">")[0]
    assert '<option value="50000001"' in pick and "Rehabilitasi puskesmas" in pick
    assert "60000001" not in html  # DPUPR's package is not offered
    assert " hidden" in field_html(html, "nama_paket").split(">")[0]  # typed-in fields hide
    assert '<option value="IKU-01">IKU-01 · Persentase efisiensi pengadaan</option>' in html

    before = snapshot(web_app)
    refused = post_form(client, f"/tasks/{task_id}", {
        PICK: "60000001", "pemetaan[paket][0][kode_indikator]": "IKU-01"})
    assert refused.status_code == 400
    assert 'data-testid="field-error"' in field_html(text_of(refused), "paket_sirup")
    assert snapshot(web_app) == before and task_state(web_app, task_id)[0] == "open"

    sent = post_form(client, f"/tasks/{task_id}", {
        PICK: "50000001", "pemetaan[paket][0][kode_indikator]": "IKU-01",
        "pemetaan[rencana_aksi_opd]": "Percepatan tender"})
    assert sent.status_code == 302, text_of(sent)
    [row] = task_state(web_app, task_id)[3]["pemetaan"]["paket"]
    assert (row["kode_rup"], row["nama_paket"], row["pagu"], row["metode_pemilihan"]) == (
        "50000001", "Rehabilitasi puskesmas", 1500000000, "tender")
    done = squash(text_of(client.get(f"/tasks/{task_id}")))
    assert "Rehabilitasi puskesmas" in done and "1.500.000.000" in done


def test_an_opd_without_packages_types_them_in(web_app, client, login):
    task_id = open_task_id(web_app, planned_run(web_app), "Task_10", opd="DISDIKBUD")
    login("pj.disdikbud")
    html = text_of(client.get(f"/tasks/{task_id}"))
    assert '<input type="hidden" name="sumber_paket" value="isian" data-fact>' in html
    assert " hidden" in field_html(html, "paket_sirup").split(">")[0]
    assert " hidden" not in field_html(html, "kode_rup").split(">")[0]
    assert "Belum ada paket SIRUP OPD Anda" in squash(html)
