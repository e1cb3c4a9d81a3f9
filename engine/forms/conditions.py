"""The FEEL subset that form-js writes for `conditional.hide` and `readonly`.

form-js evaluates these in the browser; the server evaluates them again so a hidden field cannot
be made required, or a shown one skipped, by editing the page. Only comparisons, and/or/not() and
literals are understood, so a schema can never make the server run anything.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Digits are ASCII only: \d would also read "١" (Arabic-Indic one) as a number.
_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?|!=|<=|>=|[=<>()]|[A-Za-z_]\w*)')
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_KEYWORDS = frozenset({"and", "or", "not"})
_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
CONDITION_LIMIT = 500


@functools.lru_cache(maxsize=1024)
def parse_condition(expression: str) -> tuple:
    """Parse '=a = "x" and not(b = null)' into a tuple tree; ValueError outside the subset.

    Only comparisons, and/or/not() and literals are understood, so a schema cannot make the
    server run anything; richer FEEL is refused when the form is loaded.
    """
    if not expression.startswith("="):
        raise ValueError("a condition starts with '='")
    parser = _ConditionParser(_tokenize(expression[1:]))
    tree = parser.disjunction()
    if parser.peek() is not None:
        raise ValueError(f"unexpected {parser.peek()!r}")
    return tree


def is_condition_met(expression: Any, scopes: tuple[Mapping, ...]) -> bool:
    """Evaluate a condition against submitted values, innermost scope first; True/False pass."""
    if isinstance(expression, bool):
        return expression
    if not isinstance(expression, str):
        return False
    return _evaluate(parse_condition(expression), scopes) is True


def _tokenize(text: str) -> list[str]:
    tokens, pos, text = [], 0, text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot read {text[pos : pos + 20]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


class _ConditionParser:
    """Recursive descent over the tokens: or > and > not()/parentheses > comparison."""

    def __init__(self, tokens: list[str]):
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected and token != expected):
            raise ValueError(f"expected {expected or 'more'} but found {token!r}")
        self.pos += 1
        return token

    def chain(self, word: str, inner) -> tuple:
        parts = [inner()]
        while self.peek() == word:
            self.take()
            parts.append(inner())
        return parts[0] if len(parts) == 1 else (word, *parts)

    def disjunction(self) -> tuple:
        return self.chain("or", self.conjunction)

    def conjunction(self) -> tuple:
        return self.chain("and", self.negation)

    def negation(self) -> tuple:
        if self.peek() in ("not", "("):
            negate = self.take() == "not"
            if negate:
                self.take("(")
            inner = self.disjunction()
            self.take(")")
            return ("not", inner) if negate else inner
        left = self.operand()
        if self.peek() in _COMPARISONS:
            return (self.take(), left, self.operand())
        return ("=", left, ("lit", True))

    def operand(self) -> tuple:
        token = self.take()
        if token.startswith('"'):
            return ("lit", json.loads(token))
        if token in _LITERALS:
            return ("lit", _LITERALS[token])
        if _NUMBER.fullmatch(token):
            return ("lit", float(token) if "." in token else int(token))
        if NAME.fullmatch(token) and token not in _KEYWORDS:
            return ("name", token)
        raise ValueError(f"unexpected {token!r}")


def _evaluate(tree: tuple, scopes: tuple[Mapping, ...]) -> Any:
    head = tree[0]
    if head == "lit":
        return tree[1]
    if head == "name":
        return _lookup(tree[1], scopes)
    if head == "not":
        return not _evaluate(tree[1], scopes)
    if head in ("and", "or"):
        results = (_evaluate(part, scopes) is True for part in tree[1:])
        return all(results) if head == "and" else any(results)
    left, right = _evaluate(tree[1], scopes), _evaluate(tree[2], scopes)
    if head in ("=", "!="):
        return _equal(left, right) == (head == "=")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)):
        return False  # FEEL orders numbers only; anything else compares to null
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[head]


def _equal(left: Any, right: Any) -> bool:
    """FEEL equality: a boolean is never a number (Python's True == 1), at any depth."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    return left == right


def _lookup(name: str, scopes: tuple[Mapping, ...]) -> Any:
    for scope in scopes:
        if name in scope:
            value = scope[name]
            return (value.strip() or None) if isinstance(value, str) else value
    return None
