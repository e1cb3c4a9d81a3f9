"""A run planned with the demo catalogue and reported by two OPDs over two quarters: what
the service test and the page test of row 13's achievements share (the figures expected
are in tests/engine/services/test_achievements.py)."""

from __future__ import annotations

import json
from datetime import timedelta

from engine.services import tasks as task_service
from engine.services import timers
from tests.support import ROOT, actor_for, answers, complete_all, open_tasks, run_rows

CATALOGUE = json.loads((ROOT / "forms" / "samples" / "indikator-ukpbj.json").read_text("utf-8"))
OPDS = ["DINKES", "DPUPR"]
# A kumulatif amount beside the catalogue's ratios: its target grows 10 a quarter.
PAKET_SELESAI = {"kode": "IKU-11", "nama": "Jumlah paket tender selesai", "area_strategis": "AS2",
                 "satuan": "paket", "formula": "jumlah paket dengan pemenang ditetapkan",
                 "polaritas": "maksimal", "frekuensi": "triwulanan", "sifat_data": "kumulatif",
                 "agregasi": "jumlah", "sumber_data": "SPSE"}


def line(code, value, numerator=None, denominator=None):
    return {"kode_indikator": code, "nilai": value, "pembilang": numerator,
            "penyebut": denominator, "kode_rup": None, "keterangan": None}


# period -> OPD -> its row-12 lines (IKU-01 in rupiah: Σ (pagu - kontrak) over Σ pagu)
REPORTS = {
    1: {
        "DINKES": [line("IKU-01", 10, 100_000_000, 1_000_000_000), line("IKU-02", 10, 1, 10),
                   line("IKU-03", 36), line("IKU-08", 80, 800, 1000), line("IKU-11", 6),
                   line("IKU-04", 0, 0, 0)],
        "DPUPR": [line("IKU-01", 5, 150_000_000, 3_000_000_000), line("IKU-02", 0, 0, 5),
                  line("IKU-03", 24), line("IKU-08", 90, 2700, 3000), line("IKU-11", 4),
                  line("IKU-04", 0, 0, 0)],  # no package chosen yet: 0 of 0
    },
    2: {  # DINKES sends no IKU-08 this time: its latest value (period 1) still counts
        "DINKES": [line("IKU-01", 20, 400_000_000, 2_000_000_000), line("IKU-02", 0, 0, 10),
                   line("IKU-03", 30), line("IKU-11", 12)],
        "DPUPR": [line("IKU-01", 10, 100_000_000, 1_000_000_000), line("IKU-02", 0, 0, 5),
                  line("IKU-03", 40), line("IKU-08", 100, 3000, 3000), line("IKU-11", 1)],
    },
}


def plan(session, instance_id, now):
    """Rows 1-9 with the catalogue (and IKU-11), quarterly reports, two OPDs invited."""
    indicators = CATALOGUE["perencanaan-indikator"]["indikator"] + [PAKET_SELESAI]
    targets = CATALOGUE["perencanaan-target"]["target"] + [
        {"kode_indikator": "IKU-11", "kondisi_awal": 30, "tahun_kondisi_awal": 2025,
         "target": 40}]
    given = {
        "Task_01": CATALOGUE["perencanaan-tujuan"],
        "Task_02": {"indikator": indicators},
        "Task_03": {**CATALOGUE["perencanaan-target"], "target": targets},
        "Task_07": {"opd_peserta": OPDS},
        "Task_09": {"frekuensi_pelaporan": "triwulanan", "akhir_periode": "2026-03-31"},
    }
    for row in range(1, 10):
        element_id = f"Task_{row:02d}"
        complete_all(session, instance_id, element_id, now, **given.get(element_id, {}))
    run_rows(session, instance_id, ["Task_10"], now)


def report_period(session, instance, period_no, now):
    """Rows 11-12 of one period, each OPD with its own lines; returns row 13's task."""
    run_rows(session, instance.id, ["Task_11"], now)
    later = instance.next_due_at + timedelta(hours=2)
    assert timers.fire_instance_timers(session, instance.id, later) == len(OPDS)
    for task in open_tasks(session, instance.id, "Task_12"):
        data = answers("laporan-realisasi")
        data["laporan"]["realisasi"] = REPORTS[period_no][task.opd.code]
        task_service.complete_task(session, actor_for(session, task), task.id, data, later)
    [task13] = open_tasks(session, instance.id, "Task_13")
    return task13, later
