"""Achievement (capaian, %) of one target T by one realisation R.

- maksimal: R / T x 100
- minimal, variant "selisih": (2 - R / T) x 100; variant "rasio": T / R x 100 (R = 0 with
  T > 0 is the best result there is: the cap)
- stabil: 100 while R is within the band (± `band` % of T), then one point less for every
  percent further away
- then kept between 0 and the indicator's cap.

T = 0 cannot be divided by, so it has its own rule: minimal, 100 if R <= 0 (nothing where
nothing was allowed) else 0; stabil, 100 if R = 0; otherwise (maksimal, or stabil with R != 0)
the achievement is undefined: status "tidak_dapat_dihitung", shown as "tidak dapat dihitung",
never a division error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.indicators.attributes import MINIMAL, RASIO_VARIANT, STABIL, Indicator
from engine.indicators.numbers import HUNDRED

COMPUTED = "dihitung"
NO_TARGET = "tanpa_target"
NO_REALISATION = "tanpa_realisasi"
UNDEFINED = "tidak_dapat_dihitung"
_UNBOUNDED = Decimal("Infinity")


@dataclass(frozen=True)
class Achievement:
    """The percentage (None unless `status` is COMPUTED) and why there is none."""

    percent: Decimal | None
    status: str


def achievement(
    indicator: Indicator, target: Decimal | None, realisation: Decimal | None
) -> Achievement:
    """The achievement of `realisation` against `target` (both exact; see the module doc)."""
    if target is None:
        return Achievement(None, NO_TARGET)
    if realisation is None:
        return Achievement(None, NO_REALISATION)
    raw = _raw_percent(indicator, target, realisation)
    if raw is None:
        return Achievement(None, UNDEFINED)
    return Achievement(max(Decimal(0), min(indicator.cap, raw)), COMPUTED)


def _raw_percent(indicator: Indicator, target: Decimal, realisation: Decimal) -> Decimal | None:
    if target == 0:
        return _zero_target(indicator.polarity, realisation)
    if indicator.polarity == MINIMAL:
        return _minimal(indicator.variant, target, realisation)
    if indicator.polarity == STABIL:
        return _stable(indicator.band, target, realisation)
    return realisation / target * HUNDRED


def _minimal(variant: str, target: Decimal, realisation: Decimal) -> Decimal:
    if variant != RASIO_VARIANT:
        return (2 - realisation / target) * HUNDRED
    if realisation == 0:
        return _UNBOUNDED if target > 0 else Decimal(0)
    return target / realisation * HUNDRED


def _stable(band: Decimal, target: Decimal, realisation: Decimal) -> Decimal:
    deviation = abs(realisation / target - 1) * HUNDRED
    return HUNDRED if deviation <= band else HUNDRED - (deviation - band)


def _zero_target(polarity: str, realisation: Decimal) -> Decimal | None:
    if polarity == MINIMAL:
        return HUNDRED if realisation <= 0 else Decimal(0)
    if polarity == STABIL and realisation == 0:
        return HUNDRED
    return None
