"""Achievement (capaian) of performance indicators, as rows 13-17 of the SOP read it.

From an indicator's attributes (row 2), its targets (row 3) and the OPDs' reports of every
period so far (row 12), compile_achievements gives, per indicator: the period's target, the
realisation across OPDs, the achievement, each OPD's own figures, and the earlier periods
(the trend). Pure functions: no database, Decimal arithmetic, results rounded to 2 places.

- polarity: maksimal R/T x 100; minimal (2 - R/T) x 100 (variant "selisih") or T/R x 100
  (variant "rasio"); stabil 100 within ± the tolerance band (5 % by default), less outside;
  kept between 0 and the cap (120 by default). T = 0: module achievement.
- nature of the data (sifat data): kumulatif, periodik, nilai terakhir; aggregation across
  OPDs (agregasi): jumlah, rata_rata, rasio (Σ pembilang ÷ Σ penyebut x 100): module
  realisation.
- the indicator's periods (Triwulan I-IV, ...) and its target in each: module periods.

Answers given before these attributes existed (runs started earlier, forms sent without
them) read as: the polarity they named, variant "selisih", cap 120, band 5 %, sifat data
"periodik", agregasi "rata_rata", no per-period targets. With one report line per OPD that
is exactly the mean over OPDs and R/T (or 2 - R/T) x 100 of earlier versions, so existing
runs keep their numbers.
"""

from engine.indicators.achievement import (
    COMPUTED,
    NO_REALISATION,
    NO_TARGET,
    UNDEFINED,
    Achievement,
    achievement,
)
from engine.indicators.attributes import (
    AGGREGATIONS,
    NATURES,
    PERIODS_PER_YEAR,
    POLARITIES,
    VARIANTS,
    Indicator,
    Target,
    indicator_from_answer,
    target_from_answer,
)
from engine.indicators.compile import compile_achievements, indicator_view
from engine.indicators.periods import period_index, period_label, period_target, split_target
from engine.indicators.realisation import Report, aggregate, entries_by_opd, reports_from_answer

__all__ = [
    "AGGREGATIONS",
    "COMPUTED",
    "NATURES",
    "NO_REALISATION",
    "NO_TARGET",
    "PERIODS_PER_YEAR",
    "POLARITIES",
    "UNDEFINED",
    "VARIANTS",
    "Achievement",
    "Indicator",
    "Report",
    "Target",
    "achievement",
    "aggregate",
    "compile_achievements",
    "entries_by_opd",
    "indicator_from_answer",
    "indicator_view",
    "period_index",
    "period_label",
    "period_target",
    "reports_from_answer",
    "split_target",
    "target_from_answer",
]
