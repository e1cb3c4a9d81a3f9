"""The server-side authority over form-js submissions: loading, validation, HTML posts, prefill."""

from __future__ import annotations

import json

import pytest

from engine.errors import DomainError, InvalidInputError, NotFoundError
from engine.forms import (
    check_form,
    coerce_form_strings,
    iter_fields,
    load_forms,
    prefill,
    validate_submission,
)

REVIEW = {
    "type": "default",
    "components": [
        {"type": "text", "text": "# Telaah <Rencana> & Kinerja"},
        {"type": "textfield", "key": "judul", "label": "Judul", "validate": {"required": True}},
        {"type": "number", "key": "tahun", "validate": {"min": 2020, "max": 2030}},
        {
            "type": "radio",
            "key": "keputusan",
            "values": [
                {"label": "Setujui", "value": "setuju"},
                {"label": "Kembalikan", "value": "revisi"},
            ],
            "validate": {"required": True},
        },
        {
            "type": "textarea",
            "key": "catatan",
            "conditional": {"hide": '=keputusan != "revisi"'},
            "validate": {"required": True},
        },
        {"type": "checkbox", "key": "setuju_pakta"},
        {"type": "datetime", "key": "tanggal", "subtype": "date"},
        {"type": "separator"},
    ],
}

QUARTERS = [{"label": f"Triwulan {n}", "value": n} for n in (1, 2, 3, 4)]
PACKAGES = {
    "components": [
        {"type": "select", "key": "opd", "valuesKey": "opd_options"},
        {
            "type": "group",
            "path": "sasaran",
            "components": [{"type": "textfield", "key": "nama", "validate": {"maxLength": 10}}],
        },
        {
            "type": "group",
            "components": [{"type": "checklist", "key": "triwulan", "values": QUARTERS}],
        },
        {
            "type": "dynamiclist",
            "path": "paket",
            "isRepeating": True,
            "defaultRepetitions": 1,
            "components": [
                {"type": "textfield", "key": "kd_rup", "validate": {"pattern": "[0-9]{6,10}"}},
                {"type": "number", "key": "pagu", "decimalDigits": 2, "validate": {"min": 0}},
                {
                    "type": "textfield",
                    "key": "alasan",
                    "conditional": {"hide": '=not(metode = "Dikecualikan") or opd = null'},
                    "validate": {"required": True},
                },
                {
                    "type": "select",
                    "key": "metode",
                    "values": [
                        {"label": "Tender", "value": "Tender"},
                        {"label": "Dikecualikan", "value": "Dikecualikan"},
                    ],
                },
            ],
        },
    ]
}
CONTEXT = {
    "opd_options": [{"label": "UKPBJ", "value": "ukpbj"}, {"label": "BPKD", "value": "bpkd"}]
}


def problems_of(schema, data, **kwargs) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        validate_submission(schema, data, **kwargs)
    return caught.value


def test_valid_submission_is_cleaned_and_every_key_is_present():
    cleaned = validate_submission(
        REVIEW, {"judul": "  Renstra  ", "tahun": 2026, "keputusan": "setuju", "tanggal": ""}
    )
    assert cleaned == {
        "judul": "Renstra",
        "tahun": 2026,
        "keputusan": "setuju",
        "catatan": None,
        "setuju_pakta": None,
        "tanggal": None,
    }


def test_required_fields_are_all_reported_at_once():
    error = problems_of(REVIEW, {"judul": "   "})
    assert error.code == "invalid_form_data"
    assert error.status == 400
    assert set(error.details) == {"judul", "keputusan"}
    assert error.details["judul"] == ["This field is required"]


def test_types_are_strict_for_json():
    error = problems_of(
        REVIEW,
        {"judul": 5, "tahun": "2026", "keputusan": "setuju", "setuju_pakta": "on"},
    )
    assert error.details == {
        "judul": ["Must be text"],
        "tahun": ["Must be a number"],
        "setuju_pakta": ["Must be true or false"],
    }


def test_booleans_are_not_numbers():
    error = problems_of(REVIEW, {"judul": "x", "keputusan": "setuju", "tahun": True})
    assert error.details == {"tahun": ["Must be a number"]}


def test_enumerations_refuse_other_values():
    error = problems_of(REVIEW, {"judul": "x", "keputusan": "tolak"})
    assert error.details == {"keputusan": ["Not one of the allowed options"]}


@pytest.mark.parametrize(
    ("tahun", "ok"), [(2020, True), (2030, True), (2019, False), (2031, False)]
)
def test_number_range(tahun, ok):
    data = {"judul": "x", "keputusan": "setuju", "tahun": tahun}
    if ok:
        assert validate_submission(REVIEW, data)["tahun"] == tahun
    else:
        assert "tahun" in problems_of(REVIEW, data).details


@pytest.mark.parametrize(
    ("value", "problem"),
    [("2026-02-30", "Not a real date"), ("17/03/2026", "Must be a date in ISO format")],
)
def test_dates_must_be_real_iso_dates(value, problem):
    error = problems_of(REVIEW, {"judul": "x", "keputusan": "setuju", "tanggal": value})
    assert error.details == {"tanggal": [problem]}


def test_hidden_field_is_not_required_and_its_value_is_discarded():
    data = {"judul": "x", "keputusan": "setuju", "catatan": "sneaked in"}
    assert validate_submission(REVIEW, data)["catatan"] is None


def test_shown_field_is_required():
    error = problems_of(REVIEW, {"judul": "x", "keputusan": "revisi"})
    assert error.details == {"catatan": ["This field is required"]}
    cleaned = validate_submission(REVIEW, {"judul": "x", "keputusan": "revisi", "catatan": "ok"})
    assert cleaned["catatan"] == "ok"


def test_unknown_top_level_field():
    error = problems_of(REVIEW, {"judul": "x", "keputusan": "setuju", "is_admin": True})
    assert error.code == "unknown_field"
    assert error.details == {"is_admin": ["Unknown field"]}


def test_unknown_field_with_other_problems_is_invalid_form_data():
    error = problems_of(REVIEW, {"keputusan": "setuju", "is_admin": True})
    assert error.code == "invalid_form_data"
    assert set(error.details) == {"judul", "is_admin"}


def test_unknown_field_inside_a_dynamic_list_row_and_a_group():
    data = {
        "opd": "ukpbj",
        "sasaran": {"nama": "A", "bobot": 3},
        "paket": [{"kd_rup": "123456"}, {"kd_rup": "654321", "pagu_lama": 1}],
    }
    error = problems_of(PACKAGES, data, context=CONTEXT)
    assert error.code == "unknown_field"
    assert error.details == {
        "sasaran.bobot": ["Unknown field"],
        "paket[1].pagu_lama": ["Unknown field"],
    }


def test_nested_scopes_are_cleaned_with_every_key():
    data = {
        "opd": "bpkd",
        "triwulan": [1, 3],
        "paket": [{"kd_rup": "123456", "pagu": 1500000.5, "metode": "Dikecualikan", "alasan": "a"}],
    }
    assert validate_submission(PACKAGES, data, context=CONTEXT) == {
        "opd": "bpkd",
        "sasaran": {"nama": None},
        "triwulan": [1, 3],
        "paket": [{"kd_rup": "123456", "pagu": 1500000.5, "alasan": "a", "metode": "Dikecualikan"}],
    }


def test_row_condition_reads_the_row_then_the_outer_scope():
    row = {"kd_rup": "123456", "metode": "Dikecualikan"}
    error = problems_of(PACKAGES, {"opd": "ukpbj", "paket": [row]}, context=CONTEXT)
    assert error.details == {"paket[0].alasan": ["This field is required"]}
    row_without_opd = {"paket": [dict(row, alasan="ignored")]}
    cleaned = validate_submission(PACKAGES, row_without_opd, context=CONTEXT)
    assert cleaned["paket"][0]["alasan"] is None


def test_row_problems_are_named_by_index():
    data = {
        "paket": [{"kd_rup": "12ab"}, {"pagu": 1.005}, {"pagu": -1}, "not a row"],
        "sasaran": {"nama": "x" * 11},
    }
    error = problems_of(PACKAGES, data, context=CONTEXT)
    assert error.details == {
        "sasaran.nama": ["At most 10 characters"],
        "paket[0].kd_rup": ["Does not match the required format"],
        "paket[1].pagu": ["At most 2 decimal digits"],
        "paket[2].pagu": ["At least 0"],
        "paket[3]": ["Must be an object"],
    }


def test_values_key_takes_options_from_context():
    assert validate_submission(PACKAGES, {"opd": "ukpbj"}, context=CONTEXT)["opd"] == "ukpbj"
    error = problems_of(PACKAGES, {"opd": "dinas_lain"}, context=CONTEXT)
    assert error.details == {"opd": ["Not one of the allowed options"]}
    assert "opd" in problems_of(PACKAGES, {"opd": "ukpbj"}).details  # no context, no options


def test_checklist_refuses_repeats_and_strangers():
    assert problems_of(PACKAGES, {"triwulan": [1, 1]}).details == {
        "triwulan": ["An option is chosen twice"]
    }
    assert "triwulan" in problems_of(PACKAGES, {"triwulan": ["1"]}).details


def test_sizes_are_bounded():
    too_long = {"judul": "x" * 20_001, "keputusan": "setuju"}
    assert problems_of(REVIEW, too_long).details == {"judul": ["At most 20000 characters"]}
    rows = {"paket": [{} for _ in range(501)]}
    assert problems_of(PACKAGES, rows).details == {"paket": ["At most 500 rows"]}


def test_readonly_fields_are_not_this_steps_input():
    schema = {
        "components": [
            {"type": "textfield", "key": "judul", "readonly": True},
            {"type": "textfield", "key": "catatan", "disabled": True},
            {"type": "textfield", "key": "jawaban"},
        ]
    }
    cleaned = validate_submission(schema, {"judul": "changed", "jawaban": "ya"})
    assert cleaned == {"jawaban": "ya"}


def test_coerce_form_strings_shapes_nested_rows():
    post = {
        "csrf_token": "abc",
        "opd": "ukpbj",
        "sasaran[nama]": "Efisiensi",
        "triwulan": ["1", "4"],
        "paket[0][kd_rup]": "123456",
        "paket[0][pagu]": "2500000.25",
        "paket[0][metode]": "Tender",
        "paket[2][kd_rup]": "654321",
        "paket[2][pagu]": "",
    }
    shaped = coerce_form_strings(PACKAGES, post)
    assert shaped == {
        "opd": "ukpbj",
        "sasaran": {"nama": "Efisiensi"},
        "triwulan": [1, 4],
        "paket": [
            {"kd_rup": "123456", "pagu": 2500000.25, "metode": "Tender"},
            {"kd_rup": "654321", "pagu": ""},
        ],
    }
    cleaned = validate_submission(PACKAGES, shaped, context=CONTEXT)
    assert cleaned["paket"][1] == {"kd_rup": "654321", "pagu": None, "alasan": None, "metode": None}


def test_coerce_form_strings_checkbox_and_bad_number():
    shaped = coerce_form_strings(REVIEW, {"judul": "x", "tahun": "dua ribu", "keputusan": "setuju"})
    assert shaped["setuju_pakta"] is False
    assert coerce_form_strings(REVIEW, {"setuju_pakta": "on"})["setuju_pakta"] is True
    assert problems_of(REVIEW, shaped).details == {"tahun": ["Must be a number"]}


class MultiDictLike:
    """The outside world's shape (werkzeug MultiDict) without importing werkzeug into engine."""

    def __init__(self, pairs):
        self.pairs = pairs

    def keys(self):
        return list(dict.fromkeys(key for key, _ in self.pairs))

    def getlist(self, key):
        return [value for name, value in self.pairs if name == key]


def test_coerce_form_strings_reads_repeated_keys():
    post = MultiDictLike([("triwulan", "2"), ("triwulan", "3"), ("paket[0][kd_rup]", "1234567")])
    shaped = coerce_form_strings(PACKAGES, post)
    assert shaped["triwulan"] == [2, 3]
    assert shaped["paket"] == [{"kd_rup": "1234567"}]


def test_iter_fields_describes_the_form_for_templates():
    fields = iter_fields(PACKAGES, context=CONTEXT)
    assert [field.type for field in fields] == ["select", "group", "group", "dynamiclist"]
    assert fields[0].options == (("UKPBJ", "ukpbj"), ("BPKD", "bpkd"))
    assert fields[1].children[0].html_name() == "sasaran[nama]"
    assert fields[2].key is None and fields[2].children[0].html_name() == "triwulan"
    alasan = fields[3].children[2]
    assert alasan.html_name(4) == "paket[4][alasan]"
    assert alasan.required is True
    assert alasan.hide_if == '=not(metode = "Dikecualikan") or opd = null'
    assert fields[3].children[1].minimum == 0


def test_iter_fields_keeps_labels_raw():
    text, judul = iter_fields(REVIEW)[:2]
    assert text.text == "# Telaah <Rencana> & Kinerja"
    assert (judul.label, judul.html_name(), judul.required) == ("Judul", "judul", True)


def test_prefill_uses_earlier_answers_then_defaults():
    schema = {
        "components": [
            {"type": "textfield", "key": "judul"},
            {"type": "number", "key": "bobot", "defaultValue": 10},
            {"type": "textfield", "key": "catatan", "defaultValue": "-"},
            {
                "type": "dynamiclist",
                "path": "baris",
                "components": [
                    {"type": "textfield", "key": "a"},
                ],
            },
        ]
    }
    earlier = {"judul": "Renstra", "catatan": None, "baris": [{"a": "1", "b": 2}], "lain": 1}
    assert prefill(schema, earlier) == {
        "judul": "Renstra",
        "bobot": 10,
        "catatan": None,
        "baris": [{"a": "1"}],
    }


@pytest.mark.parametrize(
    ("component", "needle"),
    [
        ({"type": "html", "content": "<b>x</b>"}, "unsupported type 'html'"),
        ({"type": "image", "source": "x.png"}, "unsupported type 'image'"),
        ({"type": "iframe"}, "unsupported type 'iframe'"),
        ({"type": "textfield"}, "needs a key"),
        ({"type": "textfield", "key": "a.b"}, "needs a key"),
        ({"type": "select", "key": "s"}, "needs values"),
        ({"type": "textfield", "key": "p", "validate": {"pattern": "a" * 201}}, "pattern"),
        ({"type": "textfield", "key": "p", "validate": {"pattern": "(a"}}, "invalid pattern"),
        ({"type": "textfield", "key": "c", "conditional": {"hide": "=a > foo(b)"}}, "condition"),
        ({"type": "datetime", "key": "d", "subtype": "week"}, "subtype"),
        ({"type": "dynamiclist", "components": []}, "needs a key"),
    ],
)
def test_check_form_refuses_what_it_cannot_enforce(component, needle):
    with pytest.raises(DomainError) as caught:
        check_form({"components": [component]}, "telaah")
    assert caught.value.code == "invalid_form"
    assert needle in caught.value.message


def test_repeated_keys_are_refused_within_a_scope_but_not_across_scopes():
    same_scope = {
        "components": [
            {"type": "textfield", "key": "a"},
            {"type": "group", "components": [{"type": "number", "key": "a"}]},
        ]
    }
    with pytest.raises(DomainError, match="repeats the key 'a'"):
        check_form(same_scope)
    nested = {
        "components": [
            {"type": "textfield", "key": "a"},
            {"type": "group", "path": "g", "components": [{"type": "number", "key": "a"}]},
        ]
    }
    check_form(nested)


def write(directory, name, content):
    (directory / f"{name}.form.json").write_text(content, encoding="utf-8")


def test_load_forms_reads_every_form_json(tmp_path):
    write(tmp_path, "telaah-renstra", json.dumps(REVIEW))
    write(tmp_path, "paket", json.dumps(PACKAGES))
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    assert set(load_forms(tmp_path)) == {"telaah-renstra", "paket"}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "default"}', "no components list"),
        ('{"components": {}}', "no components list"),
        (
            '{"components": [{"type": "textfield", "key": "a"}, {"type": "textarea", "key": "a"}]}',
            "repeats the key 'a'",
        ),
    ],
)
def test_load_forms_refuses_broken_files(tmp_path, content, needle):
    write(tmp_path, "rusak", content)
    with pytest.raises(DomainError) as caught:
        load_forms(tmp_path)
    assert caught.value.code == "invalid_form"
    assert needle in caught.value.message
    assert caught.value.details == {"form": "rusak"}


def test_load_forms_needs_the_directory(tmp_path):
    with pytest.raises(NotFoundError):
        load_forms(tmp_path / "missing")


@pytest.mark.parametrize(
    ("expression", "values", "hidden"),
    [
        ('=a = "x"', {"a": "x"}, True),
        ('=a = "x"', {"a": " x "}, True),
        ('=a != "x"', {}, True),
        ("=a = null", {"a": ""}, True),
        ('=not(a = "x")', {"a": "y"}, True),
        ('=a = "x" and b = 2', {"a": "x", "b": 2}, True),
        ('=a = "x" and b = 2', {"a": "x", "b": 3}, False),
        ('=a = "x" or c = true', {"c": True}, True),
        ("=b > 2 and b <= 3.5", {"b": 3}, True),
        ("=b > 2", {}, False),
        ("=c", {"c": True}, True),
        ("=c", {"c": False}, False),
        ("=(b = 1 or b = 2) and not(c = false)", {"b": 2, "c": True}, True),
    ],
)
def test_conditions_use_the_feel_subset(expression, values, hidden):
    schema = {
        "components": [
            {"type": "textfield", "key": "a"},
            {"type": "number", "key": "b"},
            {"type": "checkbox", "key": "c"},
            {"type": "textfield", "key": "t", "conditional": {"hide": expression}},
        ]
    }
    cleaned = validate_submission(schema, {**values, "t": "shown"})
    assert (cleaned["t"] is None) is hidden


def test_required_number_accepts_zero_and_required_checkbox_must_be_ticked():
    schema = {
        "components": [
            {"type": "number", "key": "jumlah", "validate": {"required": True}},
            {"type": "checkbox", "key": "pakta", "validate": {"required": True}},
        ]
    }
    assert validate_submission(schema, {"jumlah": 0, "pakta": True}) == {"jumlah": 0, "pakta": True}
    error = problems_of(schema, {"jumlah": 0, "pakta": False})
    assert error.details == {"pakta": ["This field is required"]}


def test_long_values_are_not_matched_against_patterns():
    schema = {"components": [{"type": "textarea", "key": "t", "validate": {"pattern": "(a+)+b"}}]}
    error = problems_of(schema, {"t": "a" * 1_001})
    assert error.details == {"t": ["At most 1000 characters for this format"]}


def test_a_submission_must_be_an_object():
    error = problems_of(REVIEW, ["judul"])
    assert error.code == "invalid_form_data"
    assert error.details == {"_form": ["Must be an object"]}


def test_hidden_group_with_path_clears_all_its_keys():
    schema = {
        "components": [
            {"type": "checkbox", "key": "ada_pagu"},
            {
                "type": "group",
                "path": "pagu",
                "conditional": {"hide": "=ada_pagu != true"},
                "components": [{"type": "number", "key": "nilai", "validate": {"required": True}}],
            },
        ]
    }
    hidden = validate_submission(schema, {"ada_pagu": False, "pagu": {"nilai": "x"}})
    assert hidden == {"ada_pagu": False, "pagu": {"nilai": None}}
    error = problems_of(schema, {"ada_pagu": True})
    assert error.details == {"pagu.nilai": ["This field is required"]}


def test_error_keys_match_validation_details():
    fields = iter_fields(PACKAGES)
    assert fields[1].children[0].error_key() == "sasaran.nama"
    assert fields[3].children[0].error_key(1) == "paket[1].kd_rup"
    assert fields[0].error_key() == "opd"


def test_time_and_datetime_subtypes():
    schema = {
        "components": [
            {"type": "datetime", "key": "jam", "subtype": "time"},
            {"type": "datetime", "key": "waktu", "subtype": "datetime"},
        ]
    }
    data = {"jam": "14:05", "waktu": "2026-03-17T14:05+07:00"}
    assert validate_submission(schema, data) == data
    assert set(problems_of(schema, {"jam": "25:00", "waktu": "2026-03-17"}).details) == {
        "jam",
        "waktu",
    }


def test_control_characters_are_refused():
    schema = {"components": [{"type": "textfield", "key": "judul", "id": "f1"}]}
    with pytest.raises(InvalidInputError) as refused:
        validate_submission(schema, {"judul": "ab\x00c"})
    assert "judul" in refused.value.details
    assert validate_submission(schema, {"judul": "baris\tsatu"})["judul"] == "baris\tsatu"


def test_problems_keep_their_msgid_and_values_for_translation():
    schema = {"components": [{"type": "textfield", "key": "judul", "id": "f1",
                              "validate": {"maxLength": 5}}]}
    with pytest.raises(InvalidInputError) as refused:
        validate_submission(schema, {"judul": "terlalu panjang"})
    problem = refused.value.details["judul"][0]
    assert problem == "At most 5 characters"  # what an API client reads
    assert (problem.msgid, problem.params) == ("At most %(n)s characters", {"n": 5})
