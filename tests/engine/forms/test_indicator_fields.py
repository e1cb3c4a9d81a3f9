"""The calculation attributes of rows 2 and 12: optional, checked, and asked only where
they apply (the minimal formula of minimal indicators, the band of stabil ones)."""

from __future__ import annotations

import pytest

from engine.errors import InvalidInputError
from engine.forms import validate_submission
from tests.support import answers, sop_forms

FORMS = sop_forms()
ROW = {"kode": "X", "nama": "Indikator X", "satuan": "%", "formula": "a / b",
       "frekuensi": "triwulanan"}


def cleaned_row(**values) -> dict:
    data = {"indikator": [{**ROW, **values}]}
    return validate_submission(FORMS["perencanaan-indikator"], data)["indikator"][0]


ATTRIBUTES = ("sifat_data", "agregasi", "varian_capaian", "batas_capaian", "toleransi_stabil")


def test_the_attributes_may_be_left_out():
    row = cleaned_row(polaritas="maksimal")
    assert [row[key] for key in ATTRIBUTES] == [None] * len(ATTRIBUTES)


def test_the_variant_is_kept_for_minimal_only_and_the_band_for_stabil_only():
    given = {"varian_capaian": "rasio", "toleransi_stabil": 2}
    assert cleaned_row(polaritas="minimal", **given)["varian_capaian"] == "rasio"
    assert cleaned_row(polaritas="minimal", **given)["toleransi_stabil"] is None
    assert cleaned_row(polaritas="stabil", **given)["toleransi_stabil"] == 2
    assert cleaned_row(polaritas="maksimal", **given)["varian_capaian"] is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"sifat_data": "bulanan"}, "sifat_data"),
        ({"agregasi": "median"}, "agregasi"),
        ({"batas_capaian": 90}, "batas_capaian"),
        ({"polaritas": "stabil", "toleransi_stabil": -1}, "toleransi_stabil"),
    ],
)
def test_a_wrong_attribute_is_refused_on_its_field(values, field):
    with pytest.raises(InvalidInputError) as caught:
        cleaned_row(**{"polaritas": "maksimal", **values})
    assert list(caught.value.details) == [f"indikator[0].{field}"]


# Row 12 picks its indicators from the run's plan (engine.services.formlists): the sample's.
PLANNED = {"indikator_rencana": [{"label": row["kode"], "value": row["kode"]}
                                 for row in answers("perencanaan-indikator")["indikator"]]}


def test_row_12_takes_a_numerator_and_a_denominator():
    data = answers("laporan-realisasi")
    data["laporan"]["realisasi"][0].update(pembilang=142_500_000, penyebut=1_500_000_000)
    line = validate_submission(FORMS["laporan-realisasi"], data, context=PLANNED)[
        "laporan"]["realisasi"][0]
    assert (line["pembilang"], line["penyebut"]) == (142_500_000, 1_500_000_000)
    data["laporan"]["realisasi"][0]["penyebut"] = -1
    with pytest.raises(InvalidInputError) as caught:
        validate_submission(FORMS["laporan-realisasi"], data, context=PLANNED)
    assert list(caught.value.details) == ["laporan.realisasi[0].penyebut"]
