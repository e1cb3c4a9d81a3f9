"""Dynamic lists: a required list needs a complete row, a half-filled row is an error on
that row (keyed by the index the client sent), and only wholly empty rows fall away."""

from __future__ import annotations

import pytest

from engine.errors import InvalidInputError
from engine.forms import validate_submission
from tests.support import answers, sop_forms

INDICATORS = sop_forms()["perencanaan-indikator"]


def problems_of(data: dict) -> dict:
    with pytest.raises(InvalidInputError) as caught:
        validate_submission(INDICATORS, data)
    return caught.value.details


@pytest.mark.parametrize("rows", [None, [], [{}], [{"kode": " ", "nama": ""}, {}]])
def test_row_2_refuses_a_plan_without_indicators(rows):
    data = {} if rows is None else {"indikator": rows}
    assert problems_of(data) == {"indikator": ["Add at least one complete row"]}


def test_a_half_filled_row_is_an_error_on_that_row_not_dropped():
    complete = answers("perencanaan-indikator")["indikator"][0]
    data = {"indikator": [complete, {"kode": "IKU-02", "nama": "Paket gagal"}]}
    details = problems_of(data)
    assert details == {
        "indikator[1].satuan": ["This field is required"],
        "indikator[1].formula": ["This field is required"],
        "indikator[1].polaritas": ["This field is required"],
        "indikator[1].frekuensi": ["This field is required"],
    }


def test_empty_rows_fall_away_and_errors_keep_the_index_sent():
    complete = answers("perencanaan-indikator")["indikator"][0]
    cleaned = validate_submission(INDICATORS, {"indikator": [{}, complete, {"kode": ""}]})
    assert [row["kode"] for row in cleaned["indikator"]] == ["IKU-01"]
    details = problems_of({"indikator": [{}, {**complete, "satuan": ""}]})
    assert details == {"indikator[1].satuan": ["This field is required"]}


def test_an_optional_list_may_stay_empty():
    form = sop_forms()["analisis-rekomendasi"]
    data = answers("analisis-rekomendasi", rekomendasi=[{}])
    assert validate_submission(form, data)["rekomendasi"] is None


def test_every_required_list_of_the_sop_refuses_no_rows():
    """The lists the SOP cannot do without (areas, indicators, targets, actions, reports)."""
    forms = sop_forms()
    required = {
        (name, comp["path"])
        for name, form in forms.items()
        for comp in walk(form["components"])
        if comp["type"] == "dynamiclist" and comp.get("validate", {}).get("required")
    }
    assert required == {
        ("perencanaan-tujuan", "area_strategis"),
        ("perencanaan-indikator", "indikator"),
        ("perencanaan-target", "target"),
        ("perencanaan-rencana-aksi", "rencana_aksi"),
        ("pembaruan-rencana-aksi", "rencana_aksi"),
        ("laporan-realisasi", "realisasi"),
        ("laporan-akhir", "status_indikator"),
    }
    for name, path in required:
        with pytest.raises(InvalidInputError):
            validate_submission(forms[name], without_rows(answers(name), path))


def walk(components: list):
    for comp in components:
        yield comp
        yield from walk(comp.get("components") or [])


def without_rows(data: dict, path: str) -> dict:
    for value in data.values():
        if isinstance(value, dict) and path in value:
            value[path] = []
    if path in data:
        data[path] = []
    return data
