"""Achievement from one target and one realisation: each polarity and variant, the cap
and the floor, zero targets and the stabil band's edges, all computed by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.indicators import (
    COMPUTED,
    NO_REALISATION,
    NO_TARGET,
    UNDEFINED,
    Indicator,
    achievement,
    indicator_from_answer,
)
from engine.indicators.numbers import rounded


def percent(polarity, target, realisation, **attributes):
    indicator = Indicator(code="X", polarity=polarity, **attributes)
    found = achievement(
        indicator,
        None if target is None else Decimal(str(target)),
        None if realisation is None else Decimal(str(realisation)),
    )
    return rounded(found.percent), found.status


@pytest.mark.parametrize(
    ("polarity", "target", "realisation", "attributes", "expected"),
    [
        # maksimal: R / T x 100
        ("maksimal", 10, 9.5, {}, 95.0),
        ("maksimal", 10, 11, {}, 110.0),
        ("maksimal", 10, 12.5, {}, 120.0),  # 125, capped at 120
        ("maksimal", 10, 14, {"cap": Decimal(150)}, 140.0),
        ("maksimal", 10, 12, {"cap": Decimal(100)}, 100.0),
        ("maksimal", 10, -1, {}, 0.0),  # -10, the floor
        ("maksimal", 3, 1, {}, 33.33),  # 33.333...
        ("maksimal", 3, 2, {}, 66.67),  # 66.666..., half up
        # minimal, selisih: (2 - R / T) x 100
        ("minimal", 5, 4, {}, 120.0),  # (2 - 0.8) x 100, exactly the cap
        ("minimal", 5, 5, {}, 100.0),
        ("minimal", 5, 6, {}, 80.0),
        ("minimal", 5, 10, {}, 0.0),
        ("minimal", 5, 12, {}, 0.0),  # -40, the floor
        ("minimal", 5, 3, {"cap": Decimal(150)}, 140.0),
        # minimal, rasio: T / R x 100
        ("minimal", 30, 40, {"variant": "rasio"}, 75.0),
        ("minimal", 30, 35, {"variant": "rasio"}, 85.71),  # 85.714...
        ("minimal", 3, 7, {"variant": "rasio"}, 42.86),  # 42.857...
        ("minimal", 30, 24, {"variant": "rasio"}, 120.0),  # 125, capped
        ("minimal", 30, 24, {"variant": "rasio", "cap": Decimal(200)}, 125.0),
        ("minimal", 30, 0, {"variant": "rasio"}, 120.0),  # nothing at all: the best, the cap
        # stabil, band 5 %: 100 within T ± 5 %, one point less per percent beyond
        ("stabil", 100, 100, {}, 100.0),
        ("stabil", 100, 105, {}, 100.0),  # the upper edge is inside
        ("stabil", 100, 95, {}, 100.0),  # the lower edge is inside
        ("stabil", 100, 105.01, {}, 99.99),
        ("stabil", 100, 110, {}, 95.0),
        ("stabil", 100, 80, {}, 85.0),
        ("stabil", 100, 250, {}, 0.0),  # 100 - 145, the floor
        ("stabil", 100, 101, {"band": Decimal(0)}, 99.0),
        ("stabil", 100, 110, {"band": Decimal(10)}, 100.0),
        ("stabil", 100, 89, {"band": Decimal(10)}, 99.0),
        ("stabil", 40, 42, {}, 100.0),  # 5 % of 40 is 2: on the edge
        ("stabil", 40, 43, {}, 97.5),  # 7.5 % away: 100 - 2.5
    ],
)
def test_achievement_by_hand(polarity, target, realisation, attributes, expected):
    assert percent(polarity, target, realisation, **attributes) == (expected, COMPUTED)


@pytest.mark.parametrize(
    ("polarity", "variant", "realisation", "expected"),
    [
        ("minimal", "selisih", 0, (100.0, COMPUTED)),
        ("minimal", "selisih", 2, (0.0, COMPUTED)),
        ("minimal", "rasio", 0, (100.0, COMPUTED)),
        ("minimal", "rasio", 3, (0.0, COMPUTED)),
        ("maksimal", "selisih", 5, (None, UNDEFINED)),
        ("maksimal", "selisih", 0, (None, UNDEFINED)),
        ("stabil", "selisih", 0, (100.0, COMPUTED)),
        ("stabil", "selisih", 1, (None, UNDEFINED)),
    ],
)
def test_a_zero_target_has_its_own_rule_and_never_divides(polarity, variant, realisation,
                                                          expected):
    assert percent(polarity, 0, realisation, variant=variant) == expected


def test_without_a_target_or_a_realisation_there_is_no_achievement():
    assert percent("maksimal", None, 5) == (None, NO_TARGET)
    assert percent("maksimal", 10, None) == (None, NO_REALISATION)


def test_an_answer_without_the_new_attributes_reads_as_the_defaults():
    """Rows sent before sifat data, agregasi, variant and cap existed keep their meaning."""
    old = indicator_from_answer({"kode": "IKU-02", "polaritas": "minimal", "frekuensi": "bulanan"})
    assert (old.polarity, old.variant, old.cap, old.band) == ("minimal", "selisih", 120, 5)
    assert (old.nature, old.aggregation, old.frequency) == ("periodik", "rata_rata", "bulanan")
    odd = indicator_from_answer({"kode": "X", "polaritas": "naik", "batas_capaian": -5,
                                 "sifat_data": None, "agregasi": "median", "frekuensi": None})
    assert (odd.polarity, odd.cap, odd.nature, odd.aggregation, odd.frequency) == (
        "maksimal", 120, "periodik", "rata_rata", "tahunan")
    given = indicator_from_answer({"kode": "X", "polaritas": "stabil", "toleransi_stabil": 0,
                                   "batas_capaian": 150, "varian_capaian": "rasio",
                                   "sifat_data": "kumulatif", "agregasi": "rasio"})
    assert (given.band, given.cap, given.variant, given.nature, given.aggregation) == (
        0, 150, "rasio", "kumulatif", "rasio")
