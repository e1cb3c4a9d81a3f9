"""The restricted evaluator: what conditions may say, and what they can never reach."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.bpmn.expression_rules import FUNCTION_NAMES
from engine.bpmn.expressions import (
    FUNCTIONS,
    ExpressionError,
    RestrictedScriptEngine,
    check_expression,
    evaluate,
)
from engine.errors import InvalidDiagramError

ZONE = ZoneInfo("Asia/Jakarta")

DATA = {
    "decision": "yes",
    "jumlah": 5,
    "berkas": {"nama": "laporan", "halaman": [3, 1, 2]},
    "nilai": [80, 90.5],
    "kosong": None,
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('decision == "yes"', True),
        ('decision != "yes"', False),
        ("jumlah >= 5 and jumlah < 10", True),
        ("not jumlah or kosong is None", True),
        ("kosong is not None", False),
        ('"lap" in berkas["nama"]', True),
        ("4 not in berkas['halaman']", True),
        ("1 < jumlah < 10", True),
        ("jumlah * 2 + 1 - 3", 8),
        ("jumlah / 2", 2.5),
        ("jumlah // 2", 2),
        ("jumlah % 2", 1),
        ("-jumlah", -5),
        ("+jumlah", 5),
        ('"tinggi" if jumlah > 3 else "rendah"', "tinggi"),
        ('berkas["halaman"][0]', 3),
        ('berkas["halaman"][1:]', [1, 2]),
        ('"abc"[0]', "a"),
        ("(1, 2)[1]", 2),
        ('{"a": [1, 2]}["a"]', [1, 2]),
        ("{1, 2} == {2, 1}", True),
        ('"ab" * 2 + "c"', "ababc"),
        ("[0] * 2 + [1]", [0, 0, 1]),
        ('len(berkas["halaman"])', 3),
        ('min(berkas["halaman"]) + max(berkas["halaman"])', 4),
        ("abs(-2)", 2),
        ("round(90.56, 1)", 90.6),
        ("round(90.56, ndigits=0)", 91.0),
        ('int("7") + float("0.5")', 7.5),
        ("str(jumlah)", "5"),
        ("bool(kosong)", False),
        ("sum(nilai)", 170.5),
        ("any([False, jumlah]) and all([])", True),
        ('sorted(berkas["halaman"], reverse=True)', [3, 2, 1]),
        ("max([], default=0)", 0),
        ("date(2024, 2, 29)", "2024-02-29"),
        ("  True  ", True),
    ],
)
def test_allowed_expressions_compute_like_python(expr, expected):
    assert check_expression(expr) == []
    assert evaluate(expr, DATA) == expected


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("().__class__", "attribute access is not allowed"),
        ("x.y", "attribute access is not allowed"),
        ("__import__('os')", "function call '__import__' is not allowed"),
        ("__import__('os')", "names starting with '_' are not allowed"),
        ("_secret", "names starting with '_' are not allowed"),
        ("a__b", "names containing '__' are not allowed"),
        ("open('x')", "function call 'open' is not allowed"),
        ("eval('1')", "function call 'eval' is not allowed"),
        ("[c for c in x]", "comprehensions are not allowed"),
        ("{c: 1 for c in x}", "comprehensions are not allowed"),
        ("any(c for c in x)", "comprehensions are not allowed"),
        ("lambda: 1", "lambda is not allowed"),
        ('"a" * 10**9', "operator '**' is not allowed"),
        ("1 << 64", "operator '<<' is not allowed"),
        ("~1", "operator '~' is not allowed"),
        ('f"{x}"', "f-strings are not allowed"),
        ("(y := 1)", "assignment expressions (:=) are not allowed"),
        ("len(*x)", "starred arguments (*) are not allowed"),
        ("len(**x)", "keyword argument unpacking (**) is not allowed"),
        ("{**x}", "dict unpacking (**) is not allowed"),
        ("sorted(x, key=len)", "keyword argument 'key' is not allowed"),
        ("x[0](1)", "only functions from the allowlist may be called, by name"),
        ("(lambda: 1)()", "only functions from the allowlist may be called, by name"),
        ("x[::2]", "slice steps are not allowed"),
        ("b'x'", "literals of type bytes are not allowed"),
        ("...", "literals of type ellipsis are not allowed"),
        ("", "expression is empty"),
        ("x ==", "syntax error"),
        ("x = 1", "syntax error"),
        ("1 +" + " 1 +" * 400 + " 1", "longer than 1000 characters"),
        ("+".join(["x"] * 150), "more than 200 parts"),
    ],
)
def test_forbidden_expressions_are_refused_statically(expr, message):
    problems = check_expression(expr)
    assert any(message in problem for problem in problems), problems
    with pytest.raises(ExpressionError) as caught:
        evaluate(expr, {"x": [1, 2, 3]})
    assert caught.value.code == "invalid_expression"
    assert message in caught.value.message


def test_expression_error_is_a_diagram_error_for_the_deploy_path():
    assert issubclass(ExpressionError, InvalidDiagramError)


def test_hostile_conditions_from_the_conformance_set_are_refused():
    first = "__import__('os').system('id') == 12345"
    second = (
        "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen']"
        "[0](['id']).wait() == 12345"
    )
    assert "attribute access is not allowed" in check_expression(first)
    assert "comprehensions are not allowed" in check_expression(second)


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ('"a" * 1000000000', "result is too large"),
        ("[0] * 1000000000", "result is too large"),
        ("str([[0] * 10000] * 10000)", "result is too large"),
        ('int("9" * 4000) * int("9" * 4000)', "number is too large"),
        ('"%0999999999d" % 1', "operator '%' is not supported"),
        ("sum([[1]])", "sum() needs numbers"),
        ("jumlah / 0", "division by zero"),
        ('berkas["tidak_ada"]', "key 'tidak_ada' not found"),
        ("nilai[9]", "index out of range"),
        ('1 < "a"', "not supported"),
        ("date(2023, 2, 29)", "day is out of range"),
        ("jumlah[0]", "cannot be indexed"),
    ],
)
def test_runtime_failures_and_resource_caps_raise_expression_error(expr, message):
    with pytest.raises(ExpressionError) as caught:
        evaluate(expr, DATA)
    assert message in caught.value.message


def test_unknown_name_is_named():
    with pytest.raises(ExpressionError, match="unknown name 'missing'"):
        evaluate("missing == 1", DATA)


def test_callables_in_data_are_not_reachable():
    with pytest.raises(ExpressionError, match="not a plain value"):
        evaluate("f", {"f": print})


def test_boolean_operators_short_circuit_like_python():
    assert evaluate("kosong or 'default'", DATA) == "default"
    assert evaluate("kosong and missing", DATA) is None


def test_allowlist_and_implementations_agree():
    assert set(FUNCTIONS) == FUNCTION_NAMES


class FakeTask:
    """Just enough of a SpiffWorkflow task for WorkflowTaskException to describe it."""

    def __init__(self, data):
        self.data = data
        self.task_spec = type("Spec", (), {"bpmn_name": "Gateway"})()
        self.workflow = type("Workflow", (), {})()
        self.workflow.spec = type("Spec", (), {"file": "diagram.bpmn"})()
        self.workflow.top_workflow = self.workflow


def test_script_engine_evaluates_with_task_data_over_external_context():
    engine = RestrictedScriptEngine(zone=ZONE)
    task = FakeTask({"decision": "yes"})
    context = {"decision": "no", "data_object": 1}
    assert engine.evaluate(task, 'decision == "yes" and data_object == 1', context) is True
    assert engine.now is None


def test_script_engine_wraps_refusals_into_workflow_task_exception():
    engine = RestrictedScriptEngine(zone=ZONE)
    with pytest.raises(WorkflowTaskException) as caught:
        engine.evaluate(FakeTask({}), "__import__('os').system('id')")
    assert isinstance(caught.value.__cause__, ExpressionError)
    assert "not allowed" in str(caught.value)


def test_script_engine_never_executes_scripts_or_services():
    engine = RestrictedScriptEngine(zone=ZONE)
    with pytest.raises(WorkflowTaskException, match="scripts are not allowed"):
        engine.execute(FakeTask({}), "x = 1")
    with pytest.raises(WorkflowTaskException, match="scripts are not allowed"):
        engine.call_service(FakeTask({}), operation_name="http/get")
    with pytest.raises(ExpressionError):
        engine.validate("open('x')")


def test_script_engine_stores_the_clock_for_timers():
    now = datetime(2024, 1, 2, tzinfo=UTC)
    assert RestrictedScriptEngine(zone=ZONE, now=now).now is now


def test_environment_spiff_calls_directly_is_restricted_too():
    environment = RestrictedScriptEngine(zone=ZONE).environment
    assert environment.evaluate("a + b", {"a": 1}, external_context={"b": 2}) == 3
    with pytest.raises(ExpressionError, match="attribute access"):
        environment.evaluate("().__class__", {})
    with pytest.raises(ExpressionError, match="scripts are not allowed"):
        environment.execute("x = 1", {})
