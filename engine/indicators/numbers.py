"""Exact arithmetic for achievements: Decimal inside, floats rounded to 2 places outside.

Form answers arrive as JSON numbers (int or float); turning them into Decimal through their
text keeps 9.5 / 10 at exactly 0.95, so hand-computed values and stored ones agree, and every
figure a task shows is rounded once, half up, to two decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)
_CENTS = Decimal("0.01")


def to_decimal(value) -> Decimal | None:
    """A finite number as Decimal; None for anything else (text, booleans, NaN, missing)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def rounded(value: Decimal | None) -> float | None:
    """Two decimals, half up, as a float a JSON column stores; None stays None."""
    if value is None:
        return None
    return float(value.quantize(_CENTS, rounding=ROUND_HALF_UP))
