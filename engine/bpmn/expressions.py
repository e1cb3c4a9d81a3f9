"""Restricted expressions for gateway conditions, timers and multi-instance counts.

SpiffWorkflow hands every expression to Python's eval(), so anyone allowed to upload a
diagram could run code on the server (see shared/conformance/hostile). Here the text is
parsed with `ast`, checked against the allowlist in engine.bpmn.expression_rules, and
walked by a small interpreter: no attribute access, no imports, no builtins beyond a
short list, and no operation whose result could grow large enough to exhaust memory.
"""

from __future__ import annotations

import ast
import datetime
import itertools
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from engine.bpmn.expression_rules import (
    ARITHMETIC,
    COMPARISONS,
    check_expression,
    parse_expression,
)
from engine.bpmn.limits import Limits
from engine.errors import InvalidDiagramError

__all__ = ["ExpressionError", "RestrictedScriptEngine", "check_expression", "evaluate"]

MAX_RESULT_SIZE = 100_000  # elements plus characters one built value may hold
MAX_INT_BITS = 4096
SCRIPTS_NOT_ALLOWED = "scripts are not allowed"


class ExpressionError(InvalidDiagramError):
    """An expression was refused or failed; at deploy time it names a diagram element."""

    code = "invalid_expression"


def _date(year: int, month: int, day: int) -> str:
    """Build an ISO date string: timers compare strings, and data must stay JSON."""
    for part in (year, month, day):
        if not isinstance(part, int) or isinstance(part, bool):
            raise TypeError("date() needs whole numbers")
    return datetime.date(year, month, day).isoformat()


def _sum(values: Any) -> int | float:
    """sum() of numbers only: sum([[...]], []) would concatenate lists unbounded."""
    items = list(values)
    if not all(isinstance(item, (int, float)) for item in items):
        raise TypeError("sum() needs numbers")
    return sum(items)


def _str(value: Any) -> str:
    return _checked_size(str(value))


FUNCTIONS = {
    "len": len, "min": min, "max": max, "abs": abs, "round": round, "int": int,
    "float": float, "str": _str, "bool": bool, "sum": _sum, "any": any, "all": all,
    "sorted": sorted, "date": _date,
}


def evaluate(expr: str, data: Mapping[str, Any]) -> Any:
    """Check `expr`, then compute it with names looked up in `data` (the task data)."""
    _refuse_if_unsafe(expr)
    tree = parse_expression(expr)[0]
    try:
        return _eval(tree.body, data)
    except (ArithmeticError, LookupError, TypeError, ValueError) as error:
        raise ExpressionError(
            f"The expression could not be evaluated: {_describe(error)}",
            details={"expression": expr},
        ) from error


def _refuse_if_unsafe(expr: str) -> None:
    problems = check_expression(expr)
    if problems:
        raise ExpressionError(
            f"The expression was refused: {'; '.join(problems)}",
            details={"expression": expr, "problems": problems},
        )


def _describe(error: Exception) -> str:
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    if isinstance(error, KeyError):
        return f"key {error.args[0]!r} not found"
    if isinstance(error, IndexError):
        return "index out of range"
    return str(error)


def _eval(node: ast.AST, data: Mapping[str, Any]) -> Any:
    return EVALUATORS[type(node)](node, data)


def _eval_name(node: ast.Name, data: Mapping[str, Any]) -> Any:
    if node.id not in data:
        raise ExpressionError(f"unknown name '{node.id}'", details={"name": node.id})
    value = data[node.id]
    if callable(value):
        raise ExpressionError(f"name '{node.id}' is not a plain value", details={"name": node.id})
    return value


def _eval_binary(node: ast.BinOp, data: Mapping[str, Any]) -> Any:
    left, right = _eval(node.left, data), _eval(node.right, data)
    symbol, compute = ARITHMETIC[type(node.op)]
    if _is_number(left) and _is_number(right):
        if symbol == "*" and _bits(left) + _bits(right) > MAX_INT_BITS:
            raise ValueError("number is too large")
        return compute(left, right)
    if symbol == "+" and type(left) is type(right) and isinstance(left, (str, list, tuple)):
        _require_size(_weight(left) + _weight(right))
        return left + right
    if symbol == "*":
        sequence, count = (left, right) if _is_number(right) else (right, left)
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
            _require_size(_weight(sequence) * max(count, 0))
            return sequence * count
    raise TypeError(
        f"operator '{symbol}' is not supported between "
        f"{type(left).__name__} and {type(right).__name__}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def _bits(value: int | float) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def _weight(value: Any) -> int:
    """Count elements and characters, stopping early once past the size cap."""
    total, stack = 0, [value]
    while stack and total <= MAX_RESULT_SIZE:
        item = stack.pop()
        total += 1 + (len(item) if isinstance(item, str) else 0)
        if isinstance(item, dict):
            stack.extend(itertools.chain(item.keys(), item.values()))
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
    return total


def _require_size(weight: int) -> None:
    if weight > MAX_RESULT_SIZE:
        raise ValueError("result is too large")


def _checked_size(value: Any) -> Any:
    _require_size(_weight(value))
    return value


def _eval_unary(node: ast.UnaryOp, data: Mapping[str, Any]) -> Any:
    operand = _eval(node.operand, data)
    if isinstance(node.op, ast.Not):
        return not operand
    if not _is_number(operand):
        raise TypeError(f"unary minus or plus needs a number, not {type(operand).__name__}")
    return -operand if isinstance(node.op, ast.USub) else +operand


def _eval_bool(node: ast.BoolOp, data: Mapping[str, Any]) -> Any:
    """Short-circuit like Python: `a or b` returns the first truthy operand."""
    stop_when = isinstance(node.op, ast.Or)
    value = None
    for operand in node.values:
        value = _eval(operand, data)
        if bool(value) is stop_when:
            return value
    return value


def _eval_compare(node: ast.Compare, data: Mapping[str, Any]) -> bool:
    left = _eval(node.left, data)
    for op, comparator in zip(node.ops, node.comparators, strict=True):
        right = _eval(comparator, data)
        if not COMPARISONS[type(op)](left, right):
            return False
        left = right
    return True


def _eval_if(node: ast.IfExp, data: Mapping[str, Any]) -> Any:
    return _eval(node.body if _eval(node.test, data) else node.orelse, data)


def _eval_subscript(node: ast.Subscript, data: Mapping[str, Any]) -> Any:
    value = _eval(node.value, data)
    if not isinstance(value, (dict, list, tuple, str)):
        raise TypeError(f"a value of type {type(value).__name__} cannot be indexed")
    if isinstance(node.slice, ast.Slice):
        lower, upper = node.slice.lower, node.slice.upper
        key = slice(
            None if lower is None else _eval(lower, data),
            None if upper is None else _eval(upper, data),
        )
    else:
        key = _eval(node.slice, data)
    return value[key]


def _eval_call(node: ast.Call, data: Mapping[str, Any]) -> Any:
    function = FUNCTIONS[node.func.id]
    args = [_eval(arg, data) for arg in node.args]
    kwargs = {keyword.arg: _eval(keyword.value, data) for keyword in node.keywords}
    return function(*args, **kwargs)


def _eval_dict(node: ast.Dict, data: Mapping[str, Any]) -> dict:
    pairs = zip(node.keys, node.values, strict=True)
    return _checked_size({_eval(key, data): _eval(value, data) for key, value in pairs})


def _display(kind: type) -> Any:
    def evaluate_display(node: ast.List | ast.Tuple | ast.Set, data: Mapping[str, Any]) -> Any:
        return _checked_size(kind(_eval(element, data) for element in node.elts))

    return evaluate_display


EVALUATORS = {
    ast.Constant: lambda node, data: node.value,
    ast.Name: _eval_name, ast.BinOp: _eval_binary, ast.UnaryOp: _eval_unary,
    ast.BoolOp: _eval_bool, ast.Compare: _eval_compare, ast.IfExp: _eval_if,
    ast.Subscript: _eval_subscript, ast.Call: _eval_call, ast.Dict: _eval_dict,
    ast.List: _display(list), ast.Tuple: _display(tuple), ast.Set: _display(set),
}


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """The environment SpiffWorkflow calls directly, past the engine's own evaluate().

    It does so for ad hoc subprocess completion conditions and message correlation
    expressions; with the default environment those would still go to plain eval().
    """

    def evaluate(self, expression: str, context: Any, external_context: Any = None) -> Any:
        return evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script: str, context: Any, external_context: Any = None) -> Any:
        raise ExpressionError(SCRIPTS_NOT_ALLOWED)

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ExpressionError(SCRIPTS_NOT_ALLOWED)


class RestrictedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine with eval replaced and scripts switched off.

    `now` is the clock the runtime's timers read, so tests and the timer worker can
    pass time in instead of the engine reading the wall clock; `zone` is the deployment's
    time zone, in which a timer's bare date is midnight; `limits` are the settings' bounds
    that loops, steps and timers of a run are held to (engine.bpmn.limits).
    """

    def __init__(
        self, zone: ZoneInfo, now: datetime.datetime | None = None, limits: Limits | None = None
    ):
        super().__init__(environment=RestrictedEnvironment())
        self.zone = zone
        self.now = now
        self.limits = limits or Limits()

    def validate(self, expression: str) -> None:
        _refuse_if_unsafe(expression)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        context = {**(external_context or {}), **task.data}
        try:
            return evaluate(expression, context)
        except ExpressionError as error:
            raise WorkflowTaskException(
                f"Error evaluating expression '{expression}': {error.message}",
                task=task,
                exception=error,
            ) from error

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        raise WorkflowTaskException(SCRIPTS_NOT_ALLOWED, task=task)

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException(SCRIPTS_NOT_ALLOWED, task=task)
