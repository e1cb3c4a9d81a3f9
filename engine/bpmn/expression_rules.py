"""Which expression syntax a diagram may use: the static half of engine.bpmn.expressions.

The rules are an allowlist of Python AST node types, so a construct Python adds later is
refused until someone decides it is safe. Checking needs no task data, which lets the
deploy-time linter report every unsafe condition, timer and loop count before a diagram
is stored, and lets the interpreter assume it only ever meets the nodes listed here.
"""

from __future__ import annotations

import ast
import functools
import itertools
import operator
import re

MAX_EXPRESSION_LENGTH = 1000
MAX_NODES = 200
FUNCTION_NAMES = frozenset({
    "len", "min", "max", "abs", "round", "int", "float", "str", "bool", "sum", "any", "all",
    "sorted", "date",
})
KEYWORDS = frozenset({"reverse", "ndigits", "default"})
LITERAL_TYPES = (str, int, float, bool, type(None))
ARITHMETIC = {
    ast.Add: ("+", operator.add), ast.Sub: ("-", operator.sub), ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv), ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
}
COMPARISONS = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
# `**` is absent on purpose: 10**10**10 would exhaust memory before any size check ran.
FORBIDDEN_OPERATORS = {
    ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
    ast.BitAnd: "&", ast.MatMult: "@", ast.Invert: "~",
}
FORBIDDEN_NODES = {
    ast.Attribute: "attribute access is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred arguments (*) are not allowed",
    **dict.fromkeys(
        (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp),
        "comprehensions are not allowed",
    ),
}
# Parts of forbidden constructs: already reported through their parent, so stay quiet.
# Diagrams drawn for another engine carry its expression language; say so instead of
# "invalid syntax", and say which language is read here.
LANGUAGE_HINT = (
    'expressions here are restricted Python-like expressions over the process data, '
    'e.g. keputusan == "setuju"'
)
FOREIGN_LANGUAGES = (
    (re.compile(r"^="), "a FEEL expression (Camunda 8/Zeebe: '=...')"),
    (re.compile(r"[$#]\{"), "a JUEL/EL expression (Camunda 7, Activiti, Flowable: '${...}')"),
)
SILENT_NODES = (ast.comprehension, ast.Store, ast.arguments, ast.arg, ast.FormattedValue)
ALLOWED_NODES = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.BinOp, ast.UnaryOp, ast.BoolOp,
    ast.Compare, ast.IfExp, ast.Subscript, ast.Slice, ast.Call, ast.keyword, ast.List,
    ast.Tuple, ast.Dict, ast.Set, ast.And, ast.Or, ast.Not, ast.UAdd, ast.USub,
    *ARITHMETIC, *COMPARISONS,
)


def check_expression(expr: str) -> list[str]:
    """Return what is wrong with `expr` in plain words; an empty list means it may run."""
    if not isinstance(expr, str):
        return ["expression must be text"]
    return list(parse_expression(expr)[1])


@functools.lru_cache(maxsize=1024)
def parse_expression(expr: str) -> tuple[ast.Expression | None, tuple[str, ...]]:
    """Parse and check once per distinct text: a condition runs on every instance.

    Returns the tree (None when it could not be read) and the problems found.
    """
    text = expr.strip()
    if not text:
        return None, ("expression is empty",)
    if len(text) > MAX_EXPRESSION_LENGTH:
        return None, (f"expression is longer than {MAX_EXPRESSION_LENGTH} characters",)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        return None, (_syntax_problem(text, error),)
    except (ValueError, RecursionError, MemoryError):
        return None, ("expression could not be read",)
    if sum(1 for _ in itertools.islice(ast.walk(tree), MAX_NODES + 1)) > MAX_NODES:
        return None, (f"expression has more than {MAX_NODES} parts",)
    problems = itertools.chain.from_iterable(_node_problems(node) for node in ast.walk(tree))
    return tree, tuple(dict.fromkeys(problems))


def _syntax_problem(text: str, error: SyntaxError) -> str:
    for pattern, language in FOREIGN_LANGUAGES:
        if pattern.search(text):
            return f"this looks like {language}, which is not read here: {LANGUAGE_HINT}"
    return f"syntax error: {error.msg} (column {error.offset}); {LANGUAGE_HINT}"


def _node_problems(node: ast.AST) -> list[str]:
    kind = type(node)
    if kind in FORBIDDEN_NODES:
        return [FORBIDDEN_NODES[kind]]
    if kind in FORBIDDEN_OPERATORS:
        return [f"operator '{FORBIDDEN_OPERATORS[kind]}' is not allowed"]
    if isinstance(node, SILENT_NODES):
        return []
    if not isinstance(node, ALLOWED_NODES):
        return [f"'{kind.__name__}' is not allowed in expressions"]
    checker = NODE_CHECKS.get(kind)
    return checker(node) if checker else []


def _check_name(node: ast.Name) -> list[str]:
    """Dunder names are the way out of every Python sandbox; `_x` is refused to be sure."""
    if node.id.startswith("_"):
        return ["names starting with '_' are not allowed"]
    if "__" in node.id:
        return ["names containing '__' are not allowed"]
    return []


def _check_constant(node: ast.Constant) -> list[str]:
    if isinstance(node.value, LITERAL_TYPES):
        return []
    return [f"literals of type {type(node.value).__name__} are not allowed"]


def _check_call(node: ast.Call) -> list[str]:
    if not isinstance(node.func, ast.Name):
        return ["only functions from the allowlist may be called, by name"]
    if node.func.id not in FUNCTION_NAMES:
        return [f"function call '{node.func.id}' is not allowed"]
    return []


def _check_keyword(node: ast.keyword) -> list[str]:
    """`key=` is left out: it would need a callable, and expressions cannot make one."""
    if node.arg is None:
        return ["keyword argument unpacking (**) is not allowed"]
    if node.arg not in KEYWORDS:
        return [f"keyword argument '{node.arg}' is not allowed"]
    return []


NODE_CHECKS = {
    ast.Name: _check_name,
    ast.Constant: _check_constant,
    ast.Call: _check_call,
    ast.keyword: _check_keyword,
    ast.Dict: lambda node: ["dict unpacking (**) is not allowed"] if None in node.keys else [],
    ast.Slice: lambda node: ["slice steps are not allowed"] if node.step is not None else [],
}
