"""NIP checks: 18 digits whose birth date, appointment month and gender digit make sense."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import InvalidInputError
from engine.services.nip import format_nip, validate_nip

TODAY = date(2026, 1, 5)


def test_a_good_nip_is_kept_as_digits_and_shown_grouped():
    assert validate_nip("19850315 201001 1 002", TODAY) == "198503152010011002"
    assert format_nip("198503152010011002") == "19850315 201001 1 002"
    assert format_nip("1980") == "1980" and format_nip(None) == ""


@pytest.mark.parametrize(("raw", "code"), [
    ("1985031520100110", "nip_format"),
    ("19850315201001100x", "nip_format"),
    ("198513152010011002", "nip_birth_date"),
    ("203001012010011002", "nip_birth_date"),
    ("198503152010131002", "nip_appointment"),
    ("198503152027011002", "nip_appointment"),
    ("198503152000011002", "nip_appointment_too_early"),
    ("198503152010013002", "nip_gender"),
])
def test_a_bad_nip_is_refused_naming_the_part(raw, code):
    with pytest.raises(InvalidInputError) as caught:
        validate_nip(raw, TODAY)
    assert caught.value.code == code and "nip" in caught.value.details
