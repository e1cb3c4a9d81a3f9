"""Row 13's figures from the OPDs' reports: the nature of the data (periodik, kumulatif,
nilai terakhir) across periods and the aggregation (jumlah, rata_rata, rasio) across OPDs,
each OPD's own figures and the trend, all computed by hand.

The reports: OPD A and B, two periods (Triwulan I ending 31 March, Triwulan II 30 June),
each line a value with its numerator and denominator:
    period 1: A 10 (1/10),  B 30 (6/20)
    period 2: A 30 (3/10),  B 10 (2/20)
"""

from __future__ import annotations

from datetime import date

import pytest

from engine.indicators import compile_achievements, reports_from_answer

ENDS = {1: date(2026, 3, 31), 2: date(2026, 6, 30)}
LINES = {
    (1, "A"): [(10, 1, 10)],
    (1, "B"): [(30, 6, 20)],
    (2, "A"): [(30, 3, 10)],
    (2, "B"): [(10, 2, 20)],
}


def answer(lines, code="X"):
    return {"laporan": {"realisasi": [
        {"kode_indikator": code, "nilai": value, "pembilang": num, "penyebut": den}
        for value, num, den in lines]}}


def reports(lines=None):
    found = []
    for (period, opd), rows in (LINES if lines is None else lines).items():
        found += reports_from_answer(period, opd, answer(rows))
    return found


def row_for(period_no=2, lines=None, target=None, **attributes):
    indicator = {"kode": "X", "nama": "Indikator X", "satuan": "%", "polaritas": "maksimal",
                 "frekuensi": "triwulanan", **attributes}
    targets = [] if target is None else [{"kode_indikator": "X", **target}]
    [row] = compile_achievements([indicator], targets, reports(lines), period_no=period_no,
                                 period_ends=ENDS, opd_names={"A": "OPD A", "B": "OPD B"})
    return row


@pytest.mark.parametrize(
    ("nature", "aggregation", "period_no", "expected"),
    [
        ("periodik", "rata_rata", 2, 20.0),  # (30 + 10) / 2
        ("periodik", "jumlah", 2, 40.0),
        ("periodik", "rasio", 2, 16.67),  # (3 + 2) / (10 + 20) x 100
        ("periodik", "rasio", 1, 23.33),  # (1 + 6) / (10 + 20) x 100
        ("kumulatif", "jumlah", 2, 80.0),  # A 10 + 30, B 30 + 10
        ("kumulatif", "rata_rata", 2, 40.0),  # mean of A 40 and B 40
        ("kumulatif", "rasio", 2, 20.0),  # (1 + 6 + 3 + 2) / (10 + 20 + 10 + 20) x 100
        ("kumulatif", "jumlah", 1, 40.0),
        ("nilai_terakhir", "jumlah", 2, 40.0),
        ("nilai_terakhir", "rasio", 2, 16.67),
    ],
)
def test_realisation_by_nature_and_aggregation(nature, aggregation, period_no, expected):
    row = row_for(period_no, sifat_data=nature, agregasi=aggregation)
    assert row["realisasi"] == expected


def test_an_opd_that_did_not_report_counts_by_the_nature_of_the_data():
    lines = {(1, "A"): [(10, 1, 10)], (1, "B"): [(30, 6, 20)], (2, "A"): [(30, 3, 10)]}
    assert row_for(2, lines, sifat_data="periodik")["realisasi"] == 30.0  # A alone
    assert row_for(2, lines, sifat_data="nilai_terakhir")["realisasi"] == 30.0  # A 30, B 30
    assert row_for(2, lines, sifat_data="kumulatif", agregasi="jumlah")["realisasi"] == 70.0
    last = row_for(2, lines, sifat_data="nilai_terakhir", agregasi="rasio")
    assert (last["realisasi"], last["pembilang"], last["penyebut"]) == (30.0, 9.0, 30.0)


def test_a_kumulatif_amount_meets_its_growing_target():
    target = {"target": 160}  # 40 by Triwulan I, 80 by Triwulan II
    first = row_for(1, target=target, sifat_data="kumulatif", agregasi="jumlah")
    second = row_for(2, target=target, sifat_data="kumulatif", agregasi="jumlah")
    assert (first["label_periode"], first["target"], first["realisasi"], first["capaian"]) == (
        "Triwulan I", 40.0, 40.0, 100.0)
    assert (second["label_periode"], second["target"], second["realisasi"],
            second["capaian"]) == ("Triwulan II", 80.0, 80.0, 100.0)
    assert second["target_tahunan"] == 160.0
    assert [(p["periode_no"], p["target"], p["realisasi"]) for p in second["tren"]] == [
        (1, 40.0, 40.0), (2, 80.0, 80.0)]
    assert second["arah_tren"] == "tetap"


def test_a_ratio_of_sums_is_not_the_mean_of_the_ratios():
    row = row_for(2, target={"target": 20}, sifat_data="periodik", agregasi="rasio")
    assert (row["pembilang"], row["penyebut"], row["realisasi"]) == (5.0, 30.0, 16.67)
    assert row["capaian"] == 83.33  # 16.666... / 20, not 20 / 20 from the mean of 30 and 10
    opds = {o["opd"]: o for o in row["per_opd"]}
    assert (opds["A"]["realisasi"], opds["A"]["capaian"], opds["A"]["nama_opd"]) == (
        30.0, 120.0, "OPD A")  # 30 / 20 = 150, capped
    assert (opds["B"]["realisasi"], opds["B"]["capaian"]) == (10.0, 50.0)
    assert [p["capaian"] for p in row["tren"]] == [116.67, 83.33]  # 23.33 then 16.67 of 20
    assert row["arah_tren"] == "turun"


def test_a_kumulatif_ratio_per_opd_and_overall():
    row = row_for(2, target={"target": 20}, sifat_data="kumulatif", agregasi="rasio")
    assert (row["target"], row["realisasi"], row["capaian"]) == (20.0, 20.0, 100.0)
    opds = {o["opd"]: (o["pembilang"], o["penyebut"], o["realisasi"], o["capaian"])
            for o in row["per_opd"]}
    assert opds == {"A": (4.0, 20.0, 20.0, 100.0), "B": (8.0, 40.0, 20.0, 100.0)}


def test_a_jumlah_shows_each_opds_share_of_the_total():
    row = row_for(2, target={"target": 50}, sifat_data="periodik", agregasi="jumlah")
    assert (row["realisasi"], row["capaian"]) == (40.0, 80.0)
    shares = {o["opd"]: (o["realisasi"], o["kontribusi"], o["capaian"], o["status"])
              for o in row["per_opd"]}
    assert shares == {"A": (30.0, 75.0, None, "kontribusi"), "B": (10.0, 25.0, None, "kontribusi")}


def test_several_lines_of_one_opd_make_one_figure():
    lines = {(1, "A"): [(10, 1, 10), (20, 4, 20)], (1, "B"): [(30, 6, 20)]}
    mean = row_for(1, lines)  # the defaults: periodik, rata_rata
    assert mean["realisasi"] == 20.0  # every line counts once: (10 + 20 + 30) / 3
    assert {o["opd"]: o["realisasi"] for o in mean["per_opd"]} == {"A": 15.0, "B": 30.0}
    ratio = row_for(1, lines, agregasi="rasio")
    assert ratio["realisasi"] == 22.0  # (1 + 4 + 6) / (10 + 20 + 20) x 100
    total = row_for(1, lines, agregasi="jumlah")
    assert total["realisasi"] == 60.0


def test_a_rasio_indicator_reported_without_numerators_falls_back_to_the_mean():
    lines = {(1, "A"): [(10, None, None)], (1, "B"): [(30, None, None)],
             (2, "A"): [(20, None, None)], (2, "B"): [(40, None, None)]}
    assert row_for(2, lines, agregasi="rasio")["realisasi"] == 30.0
    # percentages cannot be added up: a kumulatif one averages its periods
    assert row_for(2, lines, agregasi="rasio", sifat_data="kumulatif")["realisasi"] == 25.0
    mixed = {(1, "A"): [(10, 1, 10)], (1, "B"): [(99, None, None)]}
    row = row_for(1, mixed, agregasi="rasio")
    assert (row["realisasi"], row["pembilang"], row["penyebut"]) == (10.0, 1.0, 10.0)


def test_zero_denominators_cannot_be_computed_and_say_so():
    lines = {(1, "A"): [(0, 0, 0)], (1, "B"): [(0, 0, 0)]}
    row = row_for(1, lines, target={"target": 5}, agregasi="rasio", polaritas="minimal")
    assert (row["realisasi"], row["capaian"], row["status"]) == (None, None,
                                                                 "tidak_dapat_dihitung")
    assert {o["status"] for o in row["per_opd"]} == {"tidak_dapat_dihitung"}


def test_a_zero_maksimal_target_cannot_be_computed_and_a_minimal_one_can():
    lines = {(1, "A"): [(0, None, None)]}
    kept_out = row_for(1, lines, target={"target": 0})
    assert (kept_out["capaian"], kept_out["status"]) == (None, "tidak_dapat_dihitung")
    met = row_for(1, lines, target={"target": 0}, polaritas="minimal")
    assert (met["capaian"], met["status"]) == (100.0, "dihitung")


def test_no_report_and_no_target_are_told_apart():
    nothing = row_for(1, {}, target={"target": 5})
    assert (nothing["realisasi"], nothing["status"], nothing["per_opd"]) == (
        None, "tanpa_realisasi", [])
    assert nothing["jumlah_laporan"] == 0
    untargeted = row_for(1)
    assert (untargeted["target"], untargeted["status"]) == (None, "tanpa_target")


def test_reports_of_later_periods_and_of_other_indicators_are_left_out():
    other = reports_from_answer(1, "A", answer([(99, None, None)], code="Y"))
    [row] = compile_achievements(
        [{"kode": "X", "polaritas": "maksimal", "frekuensi": "triwulanan"}],
        [{"kode_indikator": "X", "target": 10}],
        reports() + other,
        period_no=1,
        period_ends=ENDS,
    )
    assert (row["realisasi"], [p["periode_no"] for p in row["tren"]]) == (20.0, [1])


def test_an_old_plan_keeps_the_numbers_it_had():
    """Rows 2 and 12 as answered before this change: the mean over OPDs, R / T x 100 and
    (2 - R / T) x 100, as the first versions computed them (test_sop_flow's 95 and 120)."""
    plan = [{"kode": "IKU-01", "polaritas": "maksimal", "frekuensi": "triwulanan"},
            {"kode": "IKU-02", "polaritas": "minimal", "frekuensi": "triwulanan"}]
    targets = [{"kode_indikator": "IKU-01", "target": 10},
               {"kode_indikator": "IKU-02", "target": 5}]
    old_answer = {"laporan": {"realisasi": [{"kode_indikator": "IKU-01", "nilai": 9.5},
                                            {"kode_indikator": "IKU-02", "nilai": 4}]}}
    lines = [line for opd in ("A", "B", "C") for line in reports_from_answer(1, opd, old_answer)]
    rows = compile_achievements(plan, targets, lines, period_no=1)
    assert [(r["realisasi"], r["capaian"], r["jumlah_laporan"]) for r in rows] == [
        (9.5, 95.0, 3), (4.0, 120.0, 3)]


def test_the_trend_has_every_reported_period_of_the_run():
    """A period in which the OPDs reported other indicators only is a gap in the trend,
    not a period left out."""
    only_y = reports_from_answer(1, "A", answer([(5, None, None)], code="Y"))
    later_x = reports_from_answer(2, "A", answer([(8, None, None)]))
    [row] = compile_achievements(
        [{"kode": "X", "polaritas": "maksimal", "frekuensi": "triwulanan"}],
        [{"kode_indikator": "X", "target": 10}],
        only_y + later_x,
        period_no=2,
        period_ends=ENDS,
    )
    assert [(p["periode_no"], p["realisasi"], p["status"]) for p in row["tren"]] == [
        (1, None, "tanpa_realisasi"), (2, 8.0, "dihitung")]
    assert row["arah_tren"] is None
