"""Figures of a region or a unit over a period, read from the daily rollups.

Finished days come from the stored rows (`DailyRollup`, `UnitRollup`); today, and any finished day
the periodic job has not stored yet, are computed live from that day's rows (and never stored by
a read). A page's read (`Live(stored_past=True)`: the dashboards) computes today only: a finished
day not stored yet counts as empty there, and the periodic job stores it (DESIGN §6). Days after
today have no figures and are left out. Counts of what happened add up over
the days; `points`, `zero_loss_points`, `cases_open` and `cases_overdue` describe the end of a day,
so over a period they are the last day's value. `cases_carried` is the `cases_overdue` of the day
before the period (overdue cases it carries in, counted against its on-time handling rate); the
rates themselves are in `chuangcheng.reports.rates`.

The field score (`Figures.field_score`) is worked out in the assessment's terms
(standards.scoring) from the summed `field` tallies, with the rules (分值, sample sizes) of the
catalog version in force when it is computed: a later catalog changes a draft's or a dashboard's
figure, never a published bulletin or ranking, which are frozen snapshots of what was computed.
Tallies of an assessment item the version in force no longer has are left out.

Scope is the caller's business: these functions take the region or street already checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min

from chuangcheng.cases.models import Category
from chuangcheng.core import clock
from chuangcheng.org.models import Region, Unit
from chuangcheng.reports import rates
from chuangcheng.reports.models import DailyRollup, UnitRollup
from chuangcheng.reports.services.rollups import (
    REGION_FIELDS,
    SNAPSHOT_FIELDS,
    UNIT_FIELDS,
    DayFigures,
    add_category,
    compute_day,
)
from chuangcheng.standards.models import CatalogVersion
from chuangcheng.standards.queries import ScoringRules, scoring_rules, version_in_force
from chuangcheng.standards.scoring import FieldScore, Tally, add_tallies, field_score


def _rate(part: Any, whole: Any, *, cap: bool = False) -> float | None:
    if not whole:
        return None
    value = 100.0 * float(part) / float(whole)
    return min(value, 100.0) if cap else value


class _Summable:
    _FIELDS: tuple[str, ...] = ()
    days: int

    def _add_day(self, row: Any, *, last: bool) -> None:
        """Add one day's figures (`row`: a rollup row or a dict). Days must come in date order."""
        get = row.get if isinstance(row, dict) else lambda name, default=None: getattr(row, name, default)
        for name in self._FIELDS:
            value = get(name, 0) or 0
            if name in SNAPSHOT_FIELDS:
                if last:
                    setattr(self, name, value)
            else:
                setattr(self, name, getattr(self, name) + value)
        self.days += 1

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self._FIELDS)


# Figures of `extra` that describe the end of a day (tasks overdue then): the last day's value.
SNAPSHOT_EXTRA = frozenset({"tasks_overdue"})


class _CaseRates:
    """The case rates of a region's or a unit's figures (reports.rates has each formula)."""

    cases_due_met: int
    cases_due: int
    cases_carried: int
    cases_closed: int
    cases_open: int
    cases_returned: int
    cases_rectified: int
    cases_first_time: int
    cases_wrong_unit: int
    cases_dispatched: int

    @property
    def on_time_rate(self) -> float | None:
        """按期处置率: due-based (GB/T 30428), overdue cases carried in count against."""
        return rates.on_time(self.cases_due_met, self.cases_due, self.cases_carried)

    @property
    def closure_rate(self) -> float | None:
        return rates.closure(self.cases_closed, self.cases_open)

    @property
    def rework_rate(self) -> float | None:
        """Returned for rework per rectification."""
        return rates.rework(self.cases_returned, self.cases_rectified)

    @property
    def first_time_rate(self) -> float | None:
        return rates.first_time(self.cases_first_time, self.cases_closed)

    @property
    def dispatch_accuracy(self) -> float | None:
        return rates.dispatch_accuracy(self.cases_wrong_unit, self.cases_dispatched)


@dataclass
class Figures(_CaseRates, _Summable):
    """A region over a period. Every numeric field of `DailyRollup`, under the same name."""

    points: int = 0
    zero_loss_points: int = 0
    visits_planned: int = 0
    visits_done: int = 0
    inspections: int = 0
    points_inspected: int = 0
    score: Decimal = Decimal(0)
    max_score: Decimal = Decimal(0)
    items_checked: int = 0
    items_failed: int = 0
    points_failed: int = 0
    zero_loss_failed: int = 0
    cases_opened: int = 0
    cases_from_residents: int = 0
    cases_dispatched: int = 0
    cases_rectified: int = 0
    cases_rectified_on_time: int = 0
    cases_closed: int = 0
    cases_returned: int = 0
    cases_reopened: int = 0
    cases_wrong_unit: int = 0
    cases_open: int = 0
    cases_overdue: int = 0
    cases_due: int = 0
    cases_due_met: int = 0
    cases_first_time: int = 0
    ratings_satisfied: int = 0
    ratings_basic: int = 0
    ratings_unsatisfied: int = 0
    # Not stored: the cases overdue at the end of the day before the period.
    cases_carried: int = 0
    # {category code: {"failed": n, "opened": n}}
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    # Figures of later capabilities, summed where numeric.
    extra: dict[str, Any] = field(default_factory=dict)
    days: int = 0
    # The field score's inputs, summed as they come ({"self" | "independent": {assessment item code:
    # tally}}); `field` gives them in the stored form.
    tallies: dict[str, dict[str, Tally]] = dataclasses.field(default_factory=dict, repr=False)
    # Where the scoring rules in force are read (once per read of several figures); None: read them here.
    rules_source: Any = dataclasses.field(default=None, repr=False, compare=False)
    # Field scores worked out with the rules of `rules_source`, by `independent_only`.
    _scores: dict[bool, FieldScore] = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    _FIELDS = tuple(REGION_FIELDS)

    @property
    def field(self) -> dict[str, dict[str, Any]]:
        """The field score's inputs as a rollup stores them: {"self" | "independent": {assessment
        item code: [inspections, "deducted"]}}."""
        return {kind: {code: tally.as_json() for code, tally in sorted(by_code.items())}
                for kind, by_code in self.tallies.items()}

    def _add_tallies(self, stored: dict[str, dict[str, Any]]) -> None:
        # Stored deductions are in cents, so summing them exactly here and rounding once in `field`
        # gives what adding the stored forms one by one (rollups.add_field) gives.
        for kind, by_code in stored.items():
            add_tallies(self.tallies.setdefault(kind, {}), by_code or {})

    def _merge_tallies(self, other: dict[str, dict[str, Tally]]) -> None:
        for kind, by_code in other.items():
            target = self.tallies.setdefault(kind, {})
            for code, tally in by_code.items():
                mine = target.get(code)
                if mine is None:
                    target[code] = Tally(tally.inspections, tally.deducted)
                else:
                    mine.inspections += tally.inspections
                    mine.deducted += tally.deducted

    def add_day(self, row: Any, *, last: bool) -> None:
        """Add one day's figures: a rollup row, a live row (a dict) or a district's day (Figures)."""
        self._scores.clear()
        self._add_day(row, last=last)
        get = row.get if isinstance(row, dict) else lambda name, default=None: getattr(row, name, default)
        add_category(self.by_category, get("by_category", None) or {})
        if isinstance(row, Figures):
            self._merge_tallies(row.tallies)
        else:
            self._add_tallies(get("field", None) or {})
        for key, value in (get("extra", None) or {}).items():
            if key in SNAPSHOT_EXTRA:
                if last:
                    self.extra[key] = value
            elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                self.extra[key] = self.extra.get(key, 0) + value
            elif last or key not in self.extra:
                self.extra[key] = value

    def merge(self, other: Figures) -> Self:
        """Add the figures of a sibling region over the same period (a district from its streets)."""
        self._scores.clear()
        for name in REGION_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.cases_carried += other.cases_carried
        add_category(self.by_category, other.by_category)
        self._merge_tallies(other.tallies)
        self.rules_source = self.rules_source or other.rules_source
        for key, value in other.extra.items():
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                self.extra[key] = self.extra.get(key, 0) + value
        self.days = max(self.days, other.days)
        return self

    @property
    def score_rate(self) -> float | None:
        """The points' own inspection scores: 100 × score / possible score (check items' weights).
        Not the field score: see `field_rate`."""
        return _rate(self.score, self.max_score)

    def field_tallies(self, *, independent_only: bool = False) -> dict[str, Tally]:
        """Per assessment item: inspections and deductions of independent checks only, or of all."""
        tallies: dict[str, Tally] = {}
        for kind, by_code in self.tallies.items():
            if kind == "independent" or not independent_only:
                for code, tally in by_code.items():
                    mine = tallies.setdefault(code, Tally())
                    mine.inspections += tally.inspections
                    mine.deducted += tally.deducted
        return tallies

    def field_score(self, *, independent_only: bool = False, rules: ScoringRules | None = None) -> FieldScore:
        """The field score in the assessment's terms (standards.scoring) from independent checks only
        or from all checks, with `rules` or those of the catalog version in force."""
        shared = rules is None and self.rules_source is not None
        if shared and independent_only in self._scores:
            return self._scores[independent_only]
        if rules is None:
            rules = self.rules_source.scoring() if self.rules_source is not None else rules_in_force()
        if rules is None:
            return FieldScore()
        score = field_score(rules.rules.values(), self.field_tallies(independent_only=independent_only))
        if shared:  # the read's rules: kept until the figures change (a page asks several times)
            self._scores[independent_only] = score
        return score

    @property
    def field_rate(self) -> float | None:
        """Field 得分率 (%) over all checks: Σ item scores ÷ Σ 分值 of the items inspected."""
        return self.field_score().rate

    @property
    def independent_field_rate(self) -> float | None:
        """Field 得分率 (%) over independent checks only (street, cross, district, covert)."""
        return self.field_score(independent_only=True).rate

    @property
    def fail_rate(self) -> float | None:
        """Share of the checked items that failed (not applicable ones are not checked)."""
        return _rate(self.items_failed, self.items_checked)

    @property
    def visit_rate(self) -> float | None:
        """Planned visits made, at most 100."""
        return _rate(self.visits_done, self.visits_planned, cap=True)

    @property
    def public_report_rate(self) -> float | None:
        return rates.public_report(self.cases_from_residents, self.cases_opened)

    @property
    def ratings(self) -> int:
        return self.ratings_satisfied + self.ratings_basic + self.ratings_unsatisfied

    @property
    def rating_satisfaction_rate(self) -> float | None:
        """群众满意率 from residents' ratings of cases (not the surveys' satisfaction)."""
        return rates.satisfaction(self.ratings_satisfied, self.ratings_basic, self.ratings_unsatisfied)


@dataclass
class UnitFigures(_CaseRates, _Summable):
    """A responsible unit over a period. Every numeric field of `UnitRollup`, under the same name."""

    cases_dispatched: int = 0
    cases_rectified: int = 0
    cases_rectified_on_time: int = 0
    cases_closed: int = 0
    cases_returned: int = 0
    cases_reopened: int = 0
    cases_wrong_unit: int = 0
    cases_open: int = 0
    cases_overdue: int = 0
    cases_due: int = 0
    cases_due_met: int = 0
    cases_first_time: int = 0
    # Not stored: the unit's cases overdue at the end of the day before the period.
    cases_carried: int = 0
    days: int = 0

    _FIELDS = tuple(UNIT_FIELDS)

    def add_day(self, row: Any, *, last: bool) -> None:
        self._add_day(row, last=last)


assert {f.name for f in fields(Figures)} >= set(REGION_FIELDS)  # noqa: S101 - kept in step with the model
assert {f.name for f in fields(UnitFigures)} >= set(UNIT_FIELDS)  # noqa: S101


# What a read takes of a stored row (plain values: a page reads hundreds of rows).
REGION_COLUMNS = ("region_id", "day", *REGION_FIELDS, "by_category", "extra", "field")
UNIT_COLUMNS = ("unit_id", "day", *UNIT_FIELDS)


def _today(now: dt.datetime | None) -> dt.date:
    return clock.local(now).date() if now else clock.today()


def _days(start: dt.date, end: dt.date, today: dt.date) -> list[dt.date]:
    last = min(end, today)
    return [start + dt.timedelta(days=i) for i in range((last - start).days + 1)] if last >= start else []


def _street_of(region: Region) -> Region | None:
    if region.level == Region.Level.STREET:
        return region
    if region.level == Region.Level.DISTRICT:
        return None
    codes = region.ancestor_codes()
    return Region.objects.get(code=codes[1])


def rules_in_force() -> ScoringRules | None:
    """The scoring rules of the catalog version in force (three queries), None without one."""
    version = version_in_force()
    return scoring_rules(version) if version is not None else None


class Live:
    """Live figures of days without a stored row, computed once per (street, day) per read. A page
    or document made of several reads at one moment (a bulletin: the street's totals, then its
    communities; a dashboard: its periods, trend, children and units) shares one, made with that
    `now`, so today is computed once for all of them.

    `stored_past`: a page's read. A finished day the periodic job has not stored yet is not
    computed: it counts as empty and is listed in `unstored` (when the street has stored days at
    all), so the page can say so; the job (`rollups.build_missing_days`, every ten minutes) stores it.

    `cache_seconds`: today's figures of a street are shared between reads (the Django cache) for
    that long, keyed by street, day and catalog version in force: a dashboard's today may be that
    old, and `as_of` says when today's figures were computed. 0 (the default): computed here."""

    def __init__(self, now: dt.datetime | None, *, stored_past: bool = False, cache_seconds: int = 0) -> None:
        self.now = now
        self.today = _today(now)
        self.stored_past = stored_past
        self.cache_seconds = cache_seconds
        self.cache: dict[tuple[int, dt.date], DayFigures] = {}
        self.firsts: dict[int, dt.date | None] = {}
        self.streets: dict[str, Region | None] = {}
        self.unstored: set[dt.date] = set()
        self.as_of: dt.datetime | None = None
        self._version: tuple[CatalogVersion | None] | None = None
        self._rules: tuple[ScoringRules | None] | None = None

    def version(self) -> CatalogVersion | None:
        """The catalog version in force, read once for this read."""
        if self._version is None:
            self._version = (version_in_force(),)
        return self._version[0]

    def scoring(self) -> ScoringRules | None:
        """The scoring rules in force, read once for every figure of this read."""
        if self._rules is None:
            version = self.version()
            self._rules = (scoring_rules(version) if version is not None else None,)
        return self._rules[0]

    def street_of(self, region: Region) -> Region | None:
        """The street at or above `region` (None for a district), read once per street."""
        if region.level <= Region.Level.STREET:
            return _street_of(region)
        code = region.ancestor_codes()[1]
        if code not in self.streets:
            self.streets[code] = _street_of(region)
        return self.streets[code]

    def first_stored(self, street: Region) -> dt.date | None:
        """Days before the street's first stored day had no data (the job starts at the first day
        with data), so they are empty rather than computed."""
        if street.pk not in self.firsts:
            self.firsts[street.pk] = DailyRollup.objects.filter(region=street).aggregate(d=Min("day"))["d"]
        return self.firsts[street.pk]

    def needs(self, street: Region, day: dt.date) -> bool:
        """Whether `day` (not stored for `street`) is computed here."""
        first = self.first_stored(street)
        if first is not None and day < first:
            return False
        if self.stored_past and day < self.today:
            if first is not None:  # a street with nothing stored has had no data (or the job has yet to run)
                self.unstored.add(day)
            return False
        return True

    def day(self, street: Region, day: dt.date) -> DayFigures:
        key = (street.pk, day)
        if key not in self.cache:
            if self.cache_seconds and day >= self.today:
                self.cache[key] = self._shared(street, day)
            else:
                self.cache[key] = compute_day(day, street, now=self.now)
                self._computed(clock.now() if self.now is None else self.now)
        return self.cache[key]

    def _computed(self, moment: dt.datetime) -> None:
        self.as_of = moment if self.as_of is None else min(self.as_of, moment)

    def _shared(self, street: Region, day: dt.date) -> DayFigures:
        version = self.version()
        key = f"reports:today:{street.pk}:{day.isoformat()}:{version.pk if version else 0}"
        found = cache.get(key)
        if found is not None:
            moment, figures = found
        else:
            moment = clock.now() if self.now is None else self.now
            figures = compute_day(day, street, now=self.now)
            cache.set(key, (moment, figures), self.cache_seconds)
        self._computed(moment)
        return figures


def page_live(now: dt.datetime | None = None) -> Live:
    """The `Live` of a page's read: finished days only from what is stored, today shared for
    `REPORTS_TODAY_CACHE_SECONDS` (settings)."""
    return Live(now, stored_past=True, cache_seconds=settings.REPORTS_TODAY_CACHE_SECONDS)


def _region_days(region: Region, days: list[dt.date], today: dt.date, live: Live) -> dict[dt.date, Any]:
    """The row (stored or live) of `region` (a street or below) for each day (in date order)."""
    if not days:
        return {}
    found = (DailyRollup.objects.filter(region=region, day__gte=days[0], day__lte=days[-1]).exclude(day__gte=today)
             .values(*REGION_COLUMNS))
    stored: dict[dt.date, Any] = {r["day"]: r for r in found}
    missing = [d for d in days if d not in stored]
    if missing:
        street = live.street_of(region)
        assert street is not None  # noqa: S101 - districts are summed from their streets
        for day in missing:
            if live.needs(street, day):
                stored[day] = live.day(street, day).regions.get(region.pk)
    return stored


def _sum(rows: dict[dt.date, Any], days: list[dt.date], live: Live | None = None) -> Figures:
    figures = Figures(rules_source=live)
    for i, day in enumerate(days):
        row = rows.get(day)
        if row is not None:
            figures.add_day(row, last=i == len(days) - 1)
        else:
            figures.days += 1
    return figures


def _with_day_before(days: list[dt.date]) -> list[dt.date]:
    """`days` with the day before the first: its end-of-day overdue cases are carried in."""
    return [days[0] - dt.timedelta(days=1), *days] if days else []


def _carry(figures: Any, rows: dict[dt.date, Any], days: list[dt.date]) -> Any:
    """Set `cases_carried`: the cases overdue at the end of the day before `days`."""
    if days:
        row = rows.get(days[0] - dt.timedelta(days=1))
        if row is not None:
            get = row.get if isinstance(row, dict) else lambda name, default=0: getattr(row, name, default)
            figures.cases_carried = int(get("cases_overdue", 0) or 0)
    return figures


def _periods(region: Region, groups: list[list[dt.date]], today: dt.date, live: Live) -> list[Figures]:
    """The figures of `region` over each group of days, every day's row read once for all groups.
    A district's are the sums of its streets' (the last day's state of each, added up)."""
    if region.level == Region.Level.DISTRICT:
        out = [Figures(days=len(group), rules_source=live) for group in groups]
        for street in region.children.order_by("path"):
            for total, part in zip(out, _periods(street, groups, today, live), strict=True):
                total.merge(part)
        return out
    wanted = sorted({day for group in groups for day in _with_day_before(group)})
    rows = _region_days(region, wanted, today, live)
    return [_carry(_sum(rows, group, live), rows, group) for group in groups]


def periods(region: Region, spans: Sequence[tuple[dt.date, dt.date]], *, now: dt.datetime | None = None,
            live: Live | None = None) -> list[Figures]:
    """The figures of `region` over each (start, end) span, inclusive: `totals` of each, with the
    rows read once for all of them (a dashboard's today, weeks and trend)."""
    today = _today(now)
    return _periods(region, [_days(start, end, today) for start, end in spans], today, live or Live(now))


def totals(region: Region, start: dt.date, end: dt.date, *, now: dt.datetime | None = None,
           live: Live | None = None) -> Figures:
    """The figures of `region` (grid, community, street or district) from `start` to `end` inclusive."""
    return periods(region, [(start, end)], now=now, live=live)[0]


def per_day(region: Region, start: dt.date, end: dt.date, *, now: dt.datetime | None = None,
            live: Live | None = None) -> list[tuple[dt.date, Figures]]:
    days = _days(start, end, _today(now))
    return list(zip(days, periods(region, [(day, day) for day in days], now=now, live=live), strict=True))


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_spans(start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> list[tuple[str, dt.date, dt.date]]:
    """(ISO week, first day, last day) of the weeks (Monday first) overlapping the period, each cut
    to the period's days up to today."""
    weeks: dict[str, list[dt.date]] = {}
    for day in _days(start, end, _today(now)):
        weeks.setdefault(iso_week(day), []).append(day)
    return [(label, days[0], days[-1]) for label, days in weeks.items()]


def per_week(region: Region, start: dt.date, end: dt.date, *, now: dt.datetime | None = None,
             live: Live | None = None) -> list[tuple[str, Figures]]:
    """ISO weeks (Monday first) overlapping the period, each over its days inside the period."""
    spans = week_spans(start, end, now=now)
    found = periods(region, [(first, last) for _label, first, last in spans], now=now, live=live)
    return [(label, figs) for (label, _first, _last), figs in zip(spans, found, strict=True)]


def children(region: Region, start: dt.date, end: dt.date, *, now: dt.datetime | None = None,
             live: Live | None = None) -> list[tuple[Region, Figures]]:
    """The direct children of `region` (communities of a street, grids of a community, streets of a
    district) in the tree's order, each with its figures."""
    today = _today(now)
    days = _days(start, end, today)
    kids = list(region.children.order_by("sort_order", "path"))
    if not days:
        return [(kid, Figures(rules_source=live)) for kid in kids]
    span = _with_day_before(days)
    stored: dict[int, dict[dt.date, Any]] = defaultdict(dict)
    for row in DailyRollup.objects.filter(region__parent=region, day__gte=span[0], day__lte=days[-1]).exclude(
            day__gte=today).values(*REGION_COLUMNS):
        stored[row["region_id"]][row["day"]] = row
    live = live or Live(now)
    out = []
    for kid in kids:
        rows = stored[kid.pk]
        missing = [d for d in span if d not in rows]
        if missing:
            if kid.level == Region.Level.STREET:
                rows.update(_region_days(kid, missing, today, live))
            else:
                street = live.street_of(kid)
                assert street is not None  # noqa: S101 - below a street
                for day in missing:
                    if live.needs(street, day):
                        rows[day] = live.day(street, day).regions.get(kid.pk)
        out.append((kid, _carry(_sum(rows, days, live), rows, days)))
    return out


def units(street: Region, start: dt.date, end: dt.date, *, now: dt.datetime | None = None,
          live: Live | None = None) -> list[tuple[Unit, UnitFigures]]:
    """The responsible units of the street's subtree with any figures in the period, in the units'
    order (kind, code). Stored unit rows count a unit's cases in every street."""
    today = _today(now)
    days = _days(start, end, today)
    if not days:
        return []
    subtree = list(Unit.objects.filter(region__path__startswith=street.path))
    by_id = {u.pk: u for u in subtree}
    rows: dict[int, dict[dt.date, Any]] = defaultdict(dict)
    stored_days: set[dt.date] = set()
    span = _with_day_before(days)
    for row in UnitRollup.objects.filter(unit__region__path__startswith=street.path, day__gte=span[0],
                                         day__lte=days[-1]).exclude(day__gte=today).values(*UNIT_COLUMNS):
        rows[row["unit_id"]][row["day"]] = row
        stored_days.add(row["day"])
    # A finished day counts as stored when the street's own row is there (a unit may have none).
    stored_days |= set(DailyRollup.objects.filter(region=street, day__gte=span[0], day__lte=days[-1])
                       .exclude(day__gte=today).values_list("day", flat=True))
    live = live or Live(now)
    for day in span:
        if day in stored_days or not live.needs(street, day):
            continue
        for unit_id, live_row in live.day(street, day).units.items():
            if unit_id in by_id:
                rows[unit_id][day] = live_row
    out = []
    for unit in sorted(subtree, key=lambda u: (u.kind, u.code)):
        unit_days = rows.get(unit.pk)
        if not unit_days:
            continue
        figures = UnitFigures()
        for i, day in enumerate(days):
            day_row = unit_days.get(day)
            if day_row is not None:
                figures.add_day(day_row, last=i == len(days) - 1)
            else:
                figures.days += 1
        _carry(figures, unit_days, days)
        if not figures.is_empty() or figures.cases_carried:
            out.append((unit, figures))
    return out


def category_names() -> dict[str, str]:
    """Category code → "group › name", for displays."""
    return {c.code: str(c) for c in Category.objects.select_related("parent")}
