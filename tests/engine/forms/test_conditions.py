"""engine/forms/conditions.py over the shared table tests/fixtures/form-conditions.json.

frontend/test/conditions.test.mjs runs the same table through the page's evaluator
(frontend/src/forms/conditions.js), so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.forms.conditions import is_condition_met, parse_condition

TABLE = Path(__file__).resolve().parents[2] / "fixtures" / "form-conditions.json"
CASES = json.loads(TABLE.read_text(encoding="utf-8"))["cases"]

def table(*, refusals: bool) -> list:
    chosen = [case for case in CASES if bool(case.get("error")) is refusals]
    return [pytest.param(case, id=case["name"]) for case in chosen]


def test_the_table_has_enough_distinct_cases():
    names = [case["name"] for case in CASES]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", table(refusals=False))
def test_condition_gives_the_expected_answer(case):
    assert is_condition_met(case["expression"], tuple(case["scopes"])) is case["expected"]


@pytest.mark.parametrize("case", table(refusals=True))
def test_condition_outside_the_subset_is_refused(case):
    with pytest.raises(ValueError):
        parse_condition(case["expression"])
    with pytest.raises(ValueError):
        is_condition_met(case["expression"], ({},))
