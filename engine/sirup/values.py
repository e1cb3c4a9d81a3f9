"""One cell to one value, as SIRUP files write them; a cell that cannot be read raises
ValueProblem with a reason code, never a guess.

Amounts: "Rp1.234.567,00", "Rp 1.234.567", "Rp1.234.567,-", "1.234.567", "1234567.50",
1234567 (a number cell). Dates: "2026-03-02" (also with a time), "02/03/2026" (day first),
"2 Maret 2026", "Senin, 2 Maret 2026", "2 Mar 2026", a date cell, and "Maret 2026" (SIRUP
plans some selections by month: the first day for a start, the last for an end). Text is kept as
written, inner runs of spaces made one: a cell reading `=HYPERLINK(...)` is that text.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from engine.errors import N_

MAX_PAGU = Decimal(10) ** 16  # Numeric(18, 2)
CENT = Decimal("0.01")
FIRST_YEAR, LAST_YEAR = 2000, 2100
KD_RUP = re.compile(r"\d{1,20}")
CURRENCY = re.compile(r"^rp\.?", re.IGNORECASE)
NO_CENTS = re.compile(r"[.,]-$")  # "Rp1.234.567,-"
SPACES = re.compile(r"[\s\u00a0\u202f]+")
# (matched against lowercased text)
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ][\d:.]+(?:z|[+-]\d{2}:?\d{2})?)?")
DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: [\d:.]+)?")
NAMED_DAY = re.compile(r"(\d{1,2})[\s-]+([a-z]+)\.?[\s-]+(\d{4})")
NAMED_MONTH = re.compile(r"([a-z]+)\.?[\s-]+(\d{4})")
WEEKDAY = re.compile(r"^[a-z']+,\s*")
MONTHS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "pebruari", "february", "feb", "peb"), 2),
    **dict.fromkeys(("maret", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("agustus", "august", "agu", "agt", "ags", "aug"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nopember", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "december", "des", "dec"), 12),
}


class ValueProblem(Exception):
    """A cell that cannot be read: `code` is the refusal's reason, `message` its msgid."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


# ---- text ------------------------------------------------------------------------------------

def read_text(value, max_length: int) -> str | None:
    """The cell as text (None when blank); a number cell is written without '.0'."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise ValueProblem("invalid_value", N_("This cell holds no readable text"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = SPACES.sub(" ", str(value)).strip()
    if "\x00" in text or not _storable(text):
        raise ValueProblem("invalid_value", N_("This cell holds characters that cannot be stored"))
    if len(text) > max_length:
        raise ValueProblem("text_too_long", N_("This text is longer than allowed"))
    return text or None


def _storable(text: str) -> bool:
    """No unpaired surrogates (a JSON file may write them as \\ud800), which no database
    stores as text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_kd_rup(value) -> str:
    """A Kode RUP is a number of up to 20 digits (a number cell is read as one)."""
    text = read_text(value, 40)
    if text is None:
        raise ValueProblem("missing_kd_rup", N_("Kode RUP is empty"))
    if not KD_RUP.fullmatch(text):
        raise ValueProblem("invalid_kd_rup", N_("Kode RUP must be digits only"))
    return text


def read_sources(value) -> list[str]:
    """Sumber dana: one or more sources ("APBD", "APBD; DAK"), or a JSON list of them."""
    items = value if isinstance(value, list) else re.split(r"[;,\n]", str(value or ""))
    sources = [read_text(item, 100) for item in items]
    return [source for source in sources if source]


# ---- amounts ---------------------------------------------------------------------------------

UNREADABLE_PAGU = N_("Pagu is not an amount of Rupiah such as Rp1.234.567,00")


def read_pagu(value) -> Decimal:
    """A non-negative Rupiah amount with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueProblem("missing_pagu", N_("Pagu is empty"))
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueProblem("unreadable_pagu", UNREADABLE_PAGU)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueProblem("unreadable_pagu", UNREADABLE_PAGU)
    if not isinstance(value, str):  # a number cell: its value, no separators to read
        return _checked_amount(repr(value) if isinstance(value, float) else str(value))
    text = SPACES.sub("", CURRENCY.sub("", value.strip()))
    return _checked_amount(_plain_number(NO_CENTS.sub("", text)))


def _checked_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueProblem("unreadable_pagu", UNREADABLE_PAGU) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_PAGU:
        raise ValueProblem("unreadable_pagu", UNREADABLE_PAGU)
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded != amount and not _float_noise(amount, rounded):
        raise ValueProblem("unreadable_pagu", UNREADABLE_PAGU)
    return rounded


def _float_noise(amount: Decimal, rounded: Decimal) -> bool:
    """1234.5600000001 from a spreadsheet's binary float is 1234.56, not a third decimal."""
    return abs(amount - rounded) < Decimal("0.000001")


def _plain_number(text: str) -> str:
    """'1.234.567,50' -> '1234567.50': the last of '.' and ',' marks the decimals when both
    appear; alone, a separator before exactly three digits groups thousands."""
    if not re.fullmatch(r"\d[\d.,]*", text):
        raise ValueProblem("unreadable_pagu", UNREADABLE_PAGU)
    if "." in text and "," in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        whole, _, cents = text.rpartition(decimal_mark)
        return _ungrouped(whole, "." if decimal_mark == "," else ",") + "." + cents
    mark = "." if "." in text else "," if "," in text else None
    if mark is None:
        return text
    parts = text.split(mark)
    if len(parts) == 2 and not (len(parts[1]) == 3 and len(parts[0]) <= 3):
        return parts[0] + "." + parts[1]  # one mark, not before three digits: decimals
    return _ungrouped(text, mark)


def _ungrouped(text: str, mark: str) -> str:
    groups = text.split(mark)
    if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])) or \
            not all(g.isdigit() for g in groups):
        raise ValueProblem("unreadable_pagu", UNREADABLE_PAGU)
    return "".join(groups)


# ---- years and dates -------------------------------------------------------------------------

def read_year(value) -> int | None:
    """Tahun anggaran, 2000-2100 (None when blank)."""
    text = read_text(value, 20)
    if text is None:
        return None
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise ValueProblem("unreadable_tahun_anggaran",
                           N_("Tahun Anggaran is not a year between 2000 and 2100"))
    return int(text)


UNREADABLE_DATE = N_("This date cannot be read: write it as 31/12/2026 or 31 Desember 2026")


def read_date(value, *, month_end: bool = False) -> date | None:
    """A date cell or text in one of the forms above (None when blank)."""
    if isinstance(value, datetime):
        return _in_range(value.date())
    if isinstance(value, date):
        return _in_range(value)
    text = read_text(value, 60)
    if text is None:
        return None
    found = _parse_date(WEEKDAY.sub("", text.lower()), month_end)
    if found is None:
        raise ValueProblem("unreadable_date", UNREADABLE_DATE)
    return _in_range(found)


def _parse_date(text: str, month_end: bool) -> date | None:
    try:
        if match := ISO_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := DAY_FIRST.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if (match := NAMED_DAY.fullmatch(text)) and match[2] in MONTHS:
            return date(int(match[3]), MONTHS[match[2]], int(match[1]))
        if (match := NAMED_MONTH.fullmatch(text)) and match[1] in MONTHS:
            year, month = int(match[2]), MONTHS[match[1]]
            return date(year, month, calendar.monthrange(year, month)[1] if month_end else 1)
    except ValueError:  # 31/02/2026, month 13, year 0
        return None
    return None


def _in_range(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueProblem("unreadable_date", UNREADABLE_DATE)
    return day
