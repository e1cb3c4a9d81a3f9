"""The demo catalogue of UKPBJ indicators (forms/samples/indikator-ukpbj.json): answers to
rows 1-3 that the shipped forms accept, with every attribute filled, and the same ten
indicators as the demo seed (engine/services/demo.py) and domain.md."""

from __future__ import annotations

import json

from engine.forms import validate_submission
from engine.indicators import AGGREGATIONS, NATURES, PERIODS_PER_YEAR, POLARITIES
from engine.services.demo import DEMO_INDICATORS
from tests.support import ROOT, sop_forms

CATALOGUE = json.loads((ROOT / "forms" / "samples" / "indikator-ukpbj.json").read_text("utf-8"))
EVERY_ATTRIBUTE = {"kode", "nama", "area_strategis", "satuan", "formula", "polaritas",
                   "frekuensi", "sifat_data", "agregasi", "batas_capaian", "sumber_data"}


def test_the_catalogue_answers_rows_1_to_3():
    forms = sop_forms()
    for form_key, data in CATALOGUE.items():
        assert validate_submission(forms[form_key], data)


def test_every_indicator_has_every_attribute_and_a_target():
    rows = CATALOGUE["perencanaan-indikator"]["indikator"]
    for row in rows:
        assert EVERY_ATTRIBUTE <= {k for k, v in row.items() if v not in (None, "")}, row["kode"]
        assert row["polaritas"] in POLARITIES and row["sifat_data"] in NATURES
        assert row["agregasi"] in AGGREGATIONS and row["frekuensi"] in PERIODS_PER_YEAR
        assert ("varian_capaian" in row) == (row["polaritas"] == "minimal")
    targets = {t["kode_indikator"] for t in CATALOGUE["perencanaan-target"]["target"]}
    assert targets == {row["kode"] for row in rows}
    areas = {a["kode"] for a in CATALOGUE["perencanaan-tujuan"]["area_strategis"]}
    assert {row["area_strategis"] for row in rows} <= areas


def test_the_catalogue_and_the_demo_seed_name_the_same_indicators():
    areas = {a["kode"]: a["nama"] for a in CATALOGUE["perencanaan-tujuan"]["area_strategis"]}
    catalogue = [
        (r["kode"], r["nama"], areas[r["area_strategis"]], r["satuan"], r["polaritas"],
         r["frekuensi"])
        for r in CATALOGUE["perencanaan-indikator"]["indikator"]
    ]
    assert catalogue == [(c, n, a, u, p, q) for c, n, a, u, _, p, q in DEMO_INDICATORS]
