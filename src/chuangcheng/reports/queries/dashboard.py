"""The figures of the dashboards: the overview of a region (street, district, community) and the
page of a responsible unit. Everything is read through `figures`, which reads the daily rollups,
so the cost follows the number of days and regions shown, never the years of history.

One page is one read (`figures.page_live`): today is computed once for all its figures (and
shared between requests for up to `REPORTS_TODAY_CACHE_SECONDS`, a minute by default: today's
figures on a dashboard may be up to a minute old, and the page says as of when), and a finished
day the periodic job has not stored yet is never computed by a request: it counts as empty and
the page lists it (`Overview.unstored`) until the job, every ten minutes, has stored it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chuangcheng.core import clock
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region, Unit
from chuangcheng.reports.queries import figures
from chuangcheng.reports.queries.figures import Figures, UnitFigures
from chuangcheng.reports.ranking import RATE_FIGURES, participation_figures

TREND_WEEKS = 12
UNIT_WEEKS = 4
TOP_CATEGORIES = 10


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    failed: int
    opened: int

    @property
    def total(self) -> int:
        return self.failed + self.opened


@dataclass(frozen=True)
class Overview:
    """One region's dashboard on `day` (today so far when `day` is today)."""

    region: Region
    day: dt.date
    week_start: dt.date
    last_week_start: dt.date
    trend_start: dt.date
    units_start: dt.date
    today: Figures
    this_week: Figures
    last_week: Figures
    trend: list[tuple[str, Figures]]
    categories: list[CategoryRow]
    children: list[tuple[Region, Figures]]
    units: list[tuple[Unit, UnitFigures]]
    # When today's figures were computed (None: nothing was computed, e.g. a day in the past).
    as_of: dt.datetime | None = None
    # Finished days shown that the periodic job has not stored yet (counted as empty), oldest first.
    unstored: tuple[dt.date, ...] = ()

    @property
    def campaign(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """This week's and last week's campaign work (volunteers, publicity, surveys, tasks), with
        the rates the ranking can use."""
        size = {"population": self.region.population, "households": self.region.households}
        blank = dict.fromkeys(RATE_FIGURES)
        return ({**blank, **participation_figures(self.this_week.extra, **size)},
                {**blank, **participation_figures(self.last_week.extra, **size)})

    @property
    def last_week_end(self) -> dt.date:
        return self.week_start - dt.timedelta(days=1)

    @property
    def open_now(self) -> int:
        return int(self.today.cases_open)

    @property
    def overdue_now(self) -> int:
        return int(self.today.cases_overdue)

    def week_dates(self) -> list[tuple[str, dt.date, dt.date]]:
        """(label, Monday, Sunday) of each week of the trend, oldest first."""
        out = []
        for i, (label, _figs) in enumerate(self.trend):
            start = self.trend_start + dt.timedelta(weeks=i)
            out.append((label, start, min(start + dt.timedelta(days=6), self.day)))
        return out


def home_region(user: Any) -> Region | None:
    """The region a user's overview starts from: their scope; for an operator, the first district."""
    scope = org_queries.scope_of(user)
    if scope is not None:
        return scope
    if user.is_superuser:
        return Region.objects.filter(level=Region.Level.DISTRICT).order_by("path").first()
    return None


def top_categories(figs: Figures, limit: int = TOP_CATEGORIES) -> list[CategoryRow]:
    names = figures.category_names()
    rows = [CategoryRow(code=code, name=names.get(code, code), failed=int(v.get("failed", 0) or 0),
                        opened=int(v.get("opened", 0) or 0))
            for code, v in (figs.by_category or {}).items()]
    rows = [r for r in rows if r.total]
    rows.sort(key=lambda r: (-r.total, -r.failed, r.code))
    return rows[:limit]


def _has_cases(uf: UnitFigures) -> bool:
    return any(getattr(uf, name, 0) for name in ("cases_dispatched", "cases_rectified", "cases_open",
                                                  "cases_closed", "cases_overdue"))


def unit_rows(user: Any, region: Region, start: dt.date, end: dt.date, *,
              now: dt.datetime | None = None, live: figures.Live | None = None) -> list[tuple[Unit, UnitFigures]]:
    """The units serving `region` that had cases in the period, the lowest on-time rate first."""
    if region.level <= Region.Level.DISTRICT:
        streets = list(Region.objects.filter(parent=region, level=Region.Level.STREET).order_by("path"))
    else:
        street = org_queries.street_of_region(region)
        streets = [street] if street is not None else []
    visible = set(org_queries.units_visible_to(user).values_list("pk", flat=True))
    rows = [(unit, uf) for street in streets for unit, uf in figures.units(street, start, end, now=now, live=live)
            if unit.pk in visible and _has_cases(uf)]
    rows.sort(key=lambda row: (row[1].on_time_rate if row[1].on_time_rate is not None else 101, row[0].code))
    return rows


def overview(user: Any, day: dt.date | None = None, *, region: Region | None = None,
             now: dt.datetime | None = None, live: figures.Live | None = None) -> Overview:
    """The overview of `region` (default: the user's scope). The caller checks that the region is in
    the user's scope (views get it through `org_queries.region_for`). Every figure is one read
    (`live`, by default a page's: today computed once, finished days only as stored)."""
    day = day or clock.today()
    region = region or home_region(user)
    if region is None:
        raise PermissionError("no region to show")
    live = live or figures.page_live(now)
    week_start = monday_of(day)
    last_week_start = week_start - dt.timedelta(weeks=1)
    trend_start = week_start - dt.timedelta(weeks=TREND_WEEKS - 1)
    units_start = day - dt.timedelta(weeks=UNIT_WEEKS) + dt.timedelta(days=1)
    weeks = figures.week_spans(trend_start, day, now=now)
    today, this_week, last_week, *trend = figures.periods(
        region, [(day, day), (week_start, day), (last_week_start, week_start - dt.timedelta(days=1)),
                 *((first, last) for _label, first, last in weeks)], now=now, live=live)
    return Overview(
        region=region, day=day, week_start=week_start, last_week_start=last_week_start,
        trend_start=trend_start, units_start=units_start,
        today=today, this_week=this_week, last_week=last_week,
        trend=[(label, figs) for (label, _first, _last), figs in zip(weeks, trend, strict=True)],
        categories=top_categories(this_week),
        children=(figures.children(region, week_start, day, now=now, live=live)
                  if region.level < Region.Level.GRID else []),
        units=unit_rows(user, region, units_start, day, now=now, live=live),
        as_of=live.as_of,
        unstored=tuple(sorted(live.unstored)),
    )


@dataclass(frozen=True)
class UnitPage:
    unit: Unit
    day: dt.date
    recent: UnitFigures  # the last four weeks
    weeks: list[tuple[str, dt.date, UnitFigures]]  # (label, Monday, figures), oldest first


def unit_page(unit: Unit, day: dt.date | None = None, *, now: dt.datetime | None = None) -> UnitPage | None:
    """A unit's case figures: the last four weeks, and week by week over the trend. None when the
    unit belongs to no subdistrict (a district-level unit has its own figures on each street)."""
    day = day or clock.today()
    street = org_queries.street_of_region(unit.region)
    if street is None:
        return None
    live = figures.page_live(now)  # today computed once for the thirteen periods

    def of(start: dt.date, end: dt.date) -> UnitFigures | None:
        return next((uf for u, uf in figures.units(street, start, end, now=now, live=live) if u.pk == unit.pk),
                    None)

    recent = of(day - dt.timedelta(weeks=UNIT_WEEKS) + dt.timedelta(days=1), day)
    if recent is None:
        return None
    first = monday_of(day) - dt.timedelta(weeks=TREND_WEEKS - 1)
    weeks = []
    for i in range(TREND_WEEKS):
        start = first + dt.timedelta(weeks=i)
        figs = of(start, min(start + dt.timedelta(days=6), day))
        if figs is not None:
            iso = start.isocalendar()
            weeks.append((f"{iso.year}-W{iso.week:02d}", start, figs))
    return UnitPage(unit=unit, day=day, recent=recent, weeks=weeks)
