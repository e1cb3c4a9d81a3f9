"""Row 13's page: the achievement of each indicator with its period, target, realisation
and trend, "cannot be computed" where a ratio has no denominator, and each indicator's
per-OPD figures and earlier periods below the table."""

from __future__ import annotations

import re

from engine.models import ProcessInstance
from tests.conftest import T0
from tests.engine.services.achievement_support import plan, report_period
from tests.webapp.inbox_support import (
    app_session,
    open_task_id,
    post_form,
    run_rows_through_services,
    squash,
    start_run,
    task_state,
    text_of,
)


def row_13_page(web_app, client, login) -> str:
    instance_id = start_run(web_app)
    with app_session(web_app) as session:
        plan(session, instance_id, T0)
    with app_session(web_app) as session:
        report_period(session, session.get(ProcessInstance, instance_id), 1, T0)
    task_id = open_task_id(web_app, instance_id, "Task_13")
    login("tim1")
    response = client.get(f"/tasks/{task_id}")
    assert response.status_code == 200
    return text_of(response)


def cells(html: str, code: str) -> list[str]:
    row = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', html, re.S).group(1)
    return [squash(re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_row_13_shows_period_target_realisation_and_achievement(web_app, client, login):
    html = row_13_page(web_app, client, login)
    efisiensi = cells(html, "IKU-01")
    assert efisiensi[2:6] == ["Triwulan I", "10", "6,25", "62,50%"]
    assert cells(html, "IKU-03")[2:6] == ["Maret", "30", "30", "100,00%"]
    assert cells(html, "IKU-11")[2:6] == ["Triwulan I", "10", "10", "100,00%"]
    tepat_waktu = re.search(r'<tr data-indicator="IKU-04">(.*?)</tr>', html, re.S).group(1)
    assert 'data-testid="not-computable"' in tepat_waktu


def test_each_indicator_opens_onto_its_opds(web_app, client, login):
    html = row_13_page(web_app, client, login)
    assert html.count('data-testid="achievement-detail"') == 11
    detail = re.search(
        r'<details[^>]*data-indicator="IKU-01">(.*?)</details>', html, re.S).group(1)
    text = squash(re.sub(r"<[^>]+>", " ", detail))
    assert "Dinas Kesehatan 10 100.000.000 1.000.000.000 100,00%" in text
    assert "Dinas Pekerjaan Umum dan Penataan Ruang 5 150.000.000 3.000.000.000 50,00%" in text
    shares = re.search(
        r'<details[^>]*data-indicator="IKU-11">(.*?)</details>', html, re.S).group(1)
    assert "60,00%" in shares and "40,00%" in shares  # 6 and 4 of 10


def test_row_3_takes_targets_per_period_from_the_page(web_app, client, login):
    """Row 3's optional list of targets per period is posted and stored like any other
    list; a period number outside 1-12 is refused on its row."""
    instance_id = start_run(web_app)
    run_rows_through_services(web_app, instance_id, "Task_01", "Task_02")
    task_id = open_task_id(web_app, instance_id, "Task_03")
    login("tim1")
    page = text_of(client.get(f"/tasks/{task_id}"))
    assert 'name="target_periode[0][periode_ke]"' in page
    answer = {"target[0][kode_indikator]": "IKU-09", "target[0][target]": "82",
              "target_periode[0][kode_indikator]": "IKU-09",
              "target_periode[0][periode_ke]": "1", "target_periode[0][target]": "80",
              "target_periode[2][kode_indikator]": "",  # a blank row falls away
              "target_periode[2][periode_ke]": "", "target_periode[2][target]": ""}
    refused = post_form(client, f"/tasks/{task_id}",
                        {**answer, "target_periode[0][periode_ke]": "13"})
    assert refused.status_code == 400
    assert 'id="f-target_periode-0-periode_ke-error"' in text_of(refused)
    assert task_state(web_app, task_id)[0] == "open"
    sent = post_form(client, f"/tasks/{task_id}", answer)
    assert sent.status_code == 302, text_of(sent)[:2000]
    stored = task_state(web_app, task_id)[3]
    assert stored["target_periode"] == [{"kode_indikator": "IKU-09", "periode_ke": 1,
                                         "target": 80}]
