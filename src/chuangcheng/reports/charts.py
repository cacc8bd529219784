"""What the dashboards' charts need besides their numbers, decided here rather than in the browser
so that it is tested: the value axis's range (a score near 99 % is not a flat line on a 0–100 axis),
the words that say where the axis starts, week labels as dates, and category names short enough to
stand beside a bar. dashboard.js draws what these say; the table beside each chart keeps the full
names and every figure."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# A percentage axis starts at 0 unless the data sit well above it: below this lowest start the
# axis keeps 0 (a cut of a few points is not worth the reader's attention).
PERCENT_MIN_START = 30.0
PERCENT_STEP = 5.0
# Room above the largest bar for its value label, as a share of the largest value.
BAR_HEADROOM = 0.18
SHORT_NAME = 10


def _known(values: Iterable[float | int | None]) -> list[float]:
    return [float(v) for v in values if v is not None]


def percent_axis(values: Iterable[float | int | None], *, bars: bool = False) -> dict[str, Any]:
    """The range of a percentage axis, its ticks and its title. The range starts at 0 unless every
    value is high: then it starts a step (5 %) below the lowest value, rounded down to a step, and
    the title says so (a cut axis must never pass for a full one). Lines end at 100 %; bars end
    above the largest bar so that its label fits. Ticks never go past 100 %."""
    known = _known(values)
    low = min(known, default=0.0)
    high = max(known, default=100.0)
    start = math.floor((low - PERCENT_STEP) / PERCENT_STEP) * PERCENT_STEP
    if known and start >= PERCENT_MIN_START:
        # Round the start down to a whole tick, the tick being what gives at most six of them.
        step = next(s for s in (1.0, 2.0, 5.0, 10.0, 20.0, 25.0) if (100.0 - start) / s <= 6)
        start = math.floor(start / step) * step
    if not known or start < PERCENT_MIN_START:
        start = 0.0
    top = 100.0
    if bars:
        top = max(high + max(high - start, PERCENT_STEP * 2) * BAR_HEADROOM, start + PERCENT_STEP * 2)
    step = next(s for s in (1.0, 2.0, 5.0, 10.0, 20.0, 25.0) if (100.0 - start) / s <= 6)
    last = min(top, 100.0)
    ticks = [start + step * i for i in range(int((last - start) // step) + 1)]
    cut = _("Rate (%%), axis starts at %(start)s%%") % {"start": f"{start:g}"}
    title = _("Rate (%)") if start == 0 else cut
    return {"range": [start, round(top, 1)], "title": title, "ticksuffix": "%", "cut": start > 0,
            "tickvals": ticks, "dtick": None}


def count_axis(values: Iterable[float | int | None], *, bars: bool = True) -> dict[str, Any]:
    """A count axis always starts at 0 (a bar's length is its value); it ends above the largest
    bar so that the bar's label fits, and at 1 at least (an empty chart keeps a scale)."""
    high = max(_known(values), default=0.0)
    top = max(high * (1 + BAR_HEADROOM), 1.0) if bars else max(high, 1.0)
    # Whole numbers only: a step of 1, 2, 5, 10, 20, 50 … giving at most six ticks.
    dtick = 1
    while top / dtick > 6:
        dtick = dtick * 5 // 2 if str(dtick).startswith("2") else dtick * 2
    return {"range": [0.0, round(top, 2)], "title": pgettext("chart axis", "Number"), "ticksuffix": "", "cut": False,
            "tickvals": None, "dtick": dtick}


def week_label(monday: dt.date, *, with_year: bool = False) -> str:
    """A week as its Monday's date, as readers say it (六月八日 → "6月8日"); the year only when asked
    (a trend that crosses New Year shows it on the weeks of the other year)."""
    if with_year:
        return _("%(month)d/%(day)d/%(year)d") % {"year": monday.year, "month": monday.month, "day": monday.day}
    return _("%(month)d/%(day)d") % {"month": monday.month, "day": monday.day}


def week_labels(mondays: Sequence[dt.date]) -> list[str]:
    """Labels for consecutive weeks: each Monday's date, with the year on the weeks whose year is
    not the last week's."""
    last_year = mondays[-1].year if mondays else None
    return [week_label(monday, with_year=monday.year != last_year) for monday in mondays]


def weeks_title() -> str:
    return _("Week (its Monday)")


def short_name(name: str, limit: int = SHORT_NAME) -> str:
    """A name that fits beside a bar: a category's own name without its group ("市容环境 › 乱张贴"
    → "乱张贴"), cut with "…" when still longer than `limit` characters."""
    if len(name) > limit and " › " in name:
        name = name.rsplit(" › ", 1)[1]
    return name if len(name) <= limit else name[: limit - 1] + "…"


def short_names(names: Sequence[str], limit: int = SHORT_NAME) -> list[str]:
    """`short_name` of each, kept apart: two names cut to the same text get zero-width spaces so
    that the chart does not draw them as one category."""
    seen: set[str] = set()
    out = []
    for name in names:
        label = short_name(name, limit)
        while label in seen:
            label += "\u200b"
        seen.add(label)
        out.append(label)
    return out


def chart(chart_id: str, title: str, kind: str, x: list[Any], series: list[dict[str, Any]], *,
          percent: bool = False, links: list[str] | None = None, x_title: str = "") -> dict[str, Any]:
    """One chart as dashboard.js reads it: `x` the full labels (shown on hover), `ticks` the ones
    on the axis, `axis` the value axis (range, title, suffix), `x_title` what the categories are."""
    values = [v for s in series for v in s["y"]]
    bars = kind != "line"
    axis = percent_axis(values, bars=bars) if percent else count_axis(values, bars=bars)
    ticks = short_names([str(label) for label in x]) if kind == "hbar" else list(x)
    return {"id": chart_id, "title": title, "kind": kind, "x": x, "ticks": ticks, "series": series,
            "percent": percent, "links": links or [], "axis": axis, "x_title": x_title}
