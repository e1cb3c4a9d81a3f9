"""What the validator offers the picks of rows 10-14: a choice that `fills` the fields
beside it from the chosen option, facts the conditions read that a submission cannot
change, and a message of its own for a value outside a list."""

from __future__ import annotations

import pytest

from engine.errors import DomainError, InvalidInputError
from engine.forms import check_form, validate_submission
from engine.forms.submissions import FORM_FACTS, OPTION_REFUSALS

PICKED = '=sumber = "daftar"'
SCHEMA = {"components": [{"type": "dynamiclist", "path": "baris", "components": [
    {"type": "select", "key": "pilihan", "valuesKey": "daftar",
     "properties": {"fills": "kode nama"}, "validate": {"required": True},
     "conditional": {"hide": '=sumber != "daftar"'}},
    {"type": "textfield", "key": "kode", "validate": {"required": True},
     "conditional": {"hide": PICKED}},
    {"type": "textfield", "key": "nama", "conditional": {"hide": PICKED}},
]}]}
CHOICES = [{"label": "A · Satu", "value": "A", "kode": "A", "nama": "Satu"},
           {"label": "B", "value": "B", "kode": "B"}]
FROM_LIST = {"daftar": CHOICES, FORM_FACTS: {"sumber": "daftar"},
             OPTION_REFUSALS: {"daftar": "Not on the list"}}
TYPED = {"daftar": [], FORM_FACTS: {"sumber": "isian"}}


def rows(*given: dict) -> dict:
    return {"baris": list(given)}


def test_a_choice_fills_the_fields_beside_it_over_what_was_typed():
    cleaned = validate_submission(SCHEMA, rows({"pilihan": "A", "kode": "X", "nama": "typed"},
                                               {"pilihan": "B"}), context=FROM_LIST)
    assert cleaned["baris"] == [{"pilihan": "A", "kode": "A", "nama": "Satu"},
                                {"pilihan": "B", "kode": "B", "nama": None}]


def test_a_value_outside_the_list_gets_the_lists_own_message():
    with pytest.raises(InvalidInputError) as caught:
        validate_submission(SCHEMA, rows({"pilihan": "Z"}), context=FROM_LIST)
    assert caught.value.details == {"baris[0].pilihan": ["Not on the list"]}


def test_facts_decide_the_conditions_and_an_echo_of_them_is_dropped():
    typed = rows({"kode": "K1", "nama": "Ketik", "pilihan": "A"})
    assert validate_submission(SCHEMA, typed, context=TYPED)["baris"] == [
        {"pilihan": None, "kode": "K1", "nama": "Ketik"}]
    with pytest.raises(InvalidInputError) as caught:  # the client's "isian" is not believed
        validate_submission(SCHEMA, {**rows({"kode": "K1", "nama": "Ketik"}), "sumber": "isian"},
                            context=FROM_LIST)
    assert caught.value.details == {"baris[0].pilihan": ["This field is required"]}
    with pytest.raises(InvalidInputError) as unknown:  # without facts it is no field at all
        validate_submission(SCHEMA, {**typed, "sumber": "isian"}, context={"daftar": []})
    assert unknown.value.details == {"sumber": ["Unknown field"]}


def test_a_field_of_the_form_is_never_taken_for_a_fact():
    schema = {"components": [{"type": "textfield", "key": "sumber"},
                             {"type": "textfield", "key": "x", "conditional": {"hide": PICKED}}]}
    cleaned = validate_submission(schema, {"sumber": "lain", "x": "ok"},
                                  context={FORM_FACTS: {"sumber": "daftar"}})
    assert cleaned == {"sumber": "lain", "x": "ok"}


@pytest.mark.parametrize(("component", "problem"), [
    ({"type": "textfield", "key": "a", "properties": {"fills": "b"}}, "is not a select"),
    ({"type": "select", "key": "a", "values": [{"value": "1"}], "properties": {"fills": "b"}},
     "is not a select or radio with a valuesKey"),
    ({"type": "select", "key": "a", "valuesKey": "l", "properties": {"fills": "a"}},
     "not another field"),
    ({"type": "select", "key": "a", "valuesKey": "l", "properties": {"fills": "c"}},
     "which is not a field beside it"),
])
def test_a_fill_the_server_could_not_make_is_refused_at_load(component, problem):
    schema = {"components": [component, {"type": "textfield", "key": "b"}]}
    with pytest.raises(DomainError) as caught:
        check_form(schema)
    assert caught.value.code == "invalid_form" and problem in caught.value.message
