"""Comparing two versions of the forms, field by field (engine/forms/compare.py)."""

from __future__ import annotations

import copy

import pytest

from engine.forms.compare import compare_forms, fields_of
from tests.support import sop_forms

FORMS = sop_forms()
KEY = "laporan-sosialisasi"


def changed_form(edit, key: str = KEY) -> list[dict]:
    new = copy.deepcopy(FORMS)
    edit(new[key]["components"])
    return compare_forms(FORMS, new, [key])


def component(components: list, field_key: str) -> dict:
    return next(c for c in components if c.get("key") == field_key)


def summary(changes: list[dict]) -> list[tuple]:
    return [(c["kind"], c["form_key"], c["field"], c["subject"], c["before"], c["after"])
            for c in changes]


def test_the_same_forms_have_no_changes():
    assert compare_forms(FORMS, copy.deepcopy(FORMS), FORMS) == []


def test_a_label_change_names_the_field_by_its_old_label():
    def edit(components):
        component(components, "ringkasan_sosialisasi")["label"] = "Ringkasan"
    [change] = changed_form(edit)
    assert summary([change]) == [("changed", KEY, "ringkasan_sosialisasi", "field.label",
                                  "Ringkasan pelaksanaan sosialisasi", "Ringkasan")]
    assert (change["field_label"], change["field_type"]) == (
        "Ringkasan pelaksanaan sosialisasi", "textarea")
    assert change["element_id"] is None  # the service places it on the step showing the form


@pytest.mark.parametrize(("field", "edit", "subject", "before", "after"), [
    ("jumlah_peserta", lambda c: c.update(type="textfield"), "field.type", "number",
     "textfield"),
    ("jumlah_peserta", lambda c: c.update(validate={"min": 0, "required": True}),
     "field.required", "false", "true"),
    ("ringkasan_sosialisasi", lambda c: c.update(validate={}), "field.required", "true",
     "false"),
    ("jumlah_peserta", lambda c: c.update(validate={"min": 5}), "field.validate.min", "0", "5"),
    ("jumlah_peserta", lambda c: c["validate"].update(max=500), "field.validate.max", None,
     "500"),
    ("ringkasan_sosialisasi", lambda c: c["validate"].update(minLength=20),
     "field.validate.minLength", None, "20"),
    ("ringkasan_sosialisasi", lambda c: c["validate"].update(pattern="^[A-Z]"),
     "field.validate.pattern", None, "^[A-Z]"),
    ("jumlah_peserta", lambda c: c.update(conditional={"hide": "=frekuensi_pelaporan = null"}),
     "field.conditional", None, "=frekuensi_pelaporan = null"),
    ("frekuensi_pelaporan", lambda c: c.update(description="Baru"), "field.description",
     "Seberapa sering OPD melaporkan realisasi.", "Baru"),
    ("frekuensi_pelaporan", lambda c: c["values"].pop(), "field.values",
     "Bulanan (bulanan); Triwulanan (triwulanan); Semesteran (semesteran); Tahunan (tahunan)",
     "Bulanan (bulanan); Triwulanan (triwulanan); Semesteran (semesteran)"),
    ("frekuensi_pelaporan", lambda c: c.update(readonly=True), "field.readonly", None, "true"),
])
def test_each_setting_of_a_field_is_its_own_change(field, edit, subject, before, after):
    changes = changed_form(lambda components: edit(component(components, field)))
    assert summary(changes) == [("changed", KEY, field, subject, before, after)]


def test_a_field_added_and_one_removed():
    def edit(components):
        components.remove(component(components, "jumlah_peserta"))
        components.append({"type": "textfield", "id": "Field_x", "key": "tempat",
                           "label": "Tempat sosialisasi"})
    changes = changed_form(edit)
    assert summary(changes) == [("removed", KEY, "jumlah_peserta", "field", None, None),
                                ("added", KEY, "tempat", "field", None, None)]
    assert [c["field_label"] for c in changes] == ["Jumlah peserta", "Tempat sosialisasi"]


def test_moving_fields_is_no_change():
    def edit(components):
        components.reverse()
        for comp in components:
            comp["layout"] = {"row": "Row_x", "columns": 8}
    assert changed_form(edit) == []


def test_fields_of_a_list_are_matched_inside_it():
    names = list(fields_of(FORMS["perencanaan-indikator"]))
    assert "indikator.nama" in names and "#Text_intro" in names

    def edit(components):
        rows = next(c for c in components if c.get("path") == "indikator")
        nama = next(c for c in rows["components"] if c.get("key") == "nama")
        nama["label"] = "Nama indikator kinerja"
    [change] = changed_form(edit, "perencanaan-indikator")
    assert (change["field"], change["subject"], change["after"]) == (
        "indikator.nama", "field.label", "Nama indikator kinerja")


def test_a_component_without_a_key_is_matched_by_id():
    def edit(components):
        next(c for c in components if c.get("id") == "Text_intro")["text"] = "### Langkah 9"
    [change] = changed_form(edit)
    assert (change["field"], change["subject"], change["after"]) == (
        "#Text_intro", "field.label", "### Langkah 9")


def test_forms_added_and_removed_and_only_those_used():
    new = copy.deepcopy(FORMS)
    del new["surat-edaran"]
    new["formulir-baru"] = {"type": "default", "components": []}
    new["tidak-dipakai"] = {"type": "default", "components": []}
    changes = compare_forms(FORMS, new, ["surat-edaran", "formulir-baru"])
    assert summary(changes) == [("added", "formulir-baru", None, "form", None, None),
                                ("removed", "surat-edaran", None, "form", None, None)]


def test_a_schema_that_is_not_a_form_has_no_fields():
    assert fields_of(None) == {}
    assert fields_of({"components": "nope"}) == {}
    assert fields_of({"components": [1, "x", {"type": "text", "id": "T"}]}) == {"#T": {
        "type": "text", "id": "T"}}
