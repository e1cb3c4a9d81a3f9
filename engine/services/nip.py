"""NIP (Nomor Induk Pegawai), the 18-digit number of a civil servant.

Its digits say who it belongs to: birth date (YYYYMMDD), appointment as CPNS (YYYYMM),
gender (1 man, 2 woman) and a three-digit sequence: "19850315 201001 1 002". A typo
usually breaks one of these, so checking them catches most mistakes at entry.
"""

from __future__ import annotations

from datetime import date

from engine.errors import N_, InvalidInputError

NIP_LENGTH = 18
ADULT_AGE = 18
OLDEST_BIRTH_YEAR = 1900


def validate_nip(raw: str, today: date) -> str:
    """The NIP as 18 digits (spaces typed to group it are dropped), or InvalidInputError
    whose code and message say which part is wrong."""
    nip = "".join((raw or "").split())
    if len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        _refuse(N_("A NIP is 18 digits"), "nip_format")
    born = _birth_date(nip, today)
    appointed = _appointment(nip, today)
    if (appointed.year, appointed.month) < (born.year + ADULT_AGE, born.month):
        _refuse(N_("The NIP's appointment date must be at least 18 years after its birth date"),
                "nip_appointment_too_early")
    if nip[14] not in "12":
        _refuse(N_("The NIP's 15th digit (gender) must be 1 or 2"), "nip_gender")
    return nip


def format_nip(nip: str | None) -> str:
    """'19850315 201001 1 002'; anything that is not 18 digits is shown as it is."""
    if not nip:
        return ""
    if len(nip) != NIP_LENGTH or not nip.isdigit():
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def _birth_date(nip: str, today: date) -> date:
    try:
        born = date(int(nip[:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        born = None
    if born is None or born.year < OLDEST_BIRTH_YEAR or born > today:
        _refuse(N_("The NIP's first 8 digits must be a plausible birth date (YYYYMMDD)"),
                "nip_birth_date")
    return born


def _appointment(nip: str, today: date) -> date:
    year, month = int(nip[8:12]), int(nip[12:14])
    in_future = (year, month) > (today.year, today.month)
    if not 1 <= month <= 12 or year < OLDEST_BIRTH_YEAR or in_future:
        _refuse(N_("Digits 9-14 of the NIP must be a plausible appointment month (YYYYMM)"),
                "nip_appointment")
    return date(year, month, 1)


def _refuse(message: str, code: str) -> None:
    raise InvalidInputError(message, code=code, details={"nip": [message]})
