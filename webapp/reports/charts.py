"""The small trend chart of one indicator on the period report, as server-side SVG.

One bar per period of the trend (the achievement, capped by the indicator's own cap in
engine.indicators), a dashed line at 100 %, the bar's band as a class the stylesheet
colours, and every value also written in words (the chart's <desc> and the table beside
it), so nothing is told by colour alone and no script draws anything.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 240, 96
TOP, BOTTOM, LEFT = 8, 18, 4  # room for the period numbers under the bars
SCALE_FLOOR = 120.0  # the default cap: charts of one report share a scale when they can


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    band: str
    label_x: float
    period_no: int


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    target_y: float  # the 100 % line
    baseline_y: float


def trend_chart(points) -> TrendChart:
    """Geometry for `points` (engine.services.reports.TrendPoint, oldest first); a period
    without an achievement has no bar, only its number."""
    top = max([SCALE_FLOOR, *(p.achievement or 0 for p in points)])
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(points), 1)
    width = min(slot * 0.6, 36)
    bars = []
    for index, point in enumerate(points):
        value = point.achievement or 0
        height = round(plot * value / top, 1)
        x = round(LEFT + slot * index + (slot - width) / 2, 1)
        bars.append(Bar(x=x, y=round(TOP + plot - height, 1), width=round(width, 1),
                        height=height, band=point.band, label_x=round(x + width / 2, 1),
                        period_no=point.period_no))
    return TrendChart(WIDTH, HEIGHT, tuple(bars), round(TOP + plot - plot * 100 / top, 1),
                      TOP + plot)
