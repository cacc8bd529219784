"""Working time: deadlines in working hours and working days that skip statutory holidays and
count make-up workdays (调休), and the share of a time limit already used (the traffic light).

A day is a working day when it is Monday to Friday and not a holiday row of `CalendarDay`, or a
Saturday/Sunday with a make-up workday row. A year without any row (not yet announced, not yet
entered by an admin) falls back to plain Monday to Friday; `WorkCalendar.covered(year)` says so.

Office hours come from `settings.OFFICE_HOURS` (pairs of "HH:MM"), by default 08:30–12:00 and
14:00–17:30. A working hour is 60 minutes inside office hours; "N working days" ends at the close
of office hours on the Nth working day after the start day.

Suspended cases: the clock stops while a case is suspended (挂账) or waits for an extension, per
local rules. That is the caller's job: when the case resumes, move its deadline on by the working
time it was paused (`WorkCalendar.working_seconds_between(paused_at, resumed_at)` then
`WorkCalendar.extend_by_working_seconds(deadline, seconds)`), and pass the paused working seconds
to `used_fraction`.

Every datetime in and out is aware and in the project's time zone (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from chuangcheng.core.models import CalendarDay

Interval = tuple[dt.time, dt.time]

DEFAULT_OFFICE_HOURS: tuple[tuple[str, str], ...] = (("08:30", "12:00"), ("14:00", "17:30"))
UNITS = ("working_hours", "working_days", "natural_hours", "natural_minutes")
NATURAL_UNITS = ("natural_hours", "natural_minutes")
# Traffic light: green while under 80 % of the limit is used, yellow up to 100 %, red when overdue.
YELLOW_FROM = 0.8
# A deadline search that runs this far without finding working time means a broken calendar.
_MAX_DAYS = 366 * 5


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"OFFICE_HOURS: {value!r} is not a time like 08:30.") from exc


def parse_office_hours(value: Any) -> tuple[Interval, ...]:
    """Office hours as sorted, non-overlapping (open, close) pairs. Accepts pairs of times or
    "HH:MM" strings, or one string like "08:30-12:00,14:00-17:30"."""
    if isinstance(value, str):
        pairs: list[Any] = [part.split("-", 1) for part in value.split(",") if part.strip()]
    else:
        pairs = list(value)
    intervals: list[Interval] = []
    for pair in pairs:
        if len(pair) != 2:
            raise ImproperlyConfigured(f"OFFICE_HOURS: {pair!r} is not an (open, close) pair.")
        opens, closes = _parse_time(pair[0]), _parse_time(pair[1])
        if opens >= closes:
            raise ImproperlyConfigured(f"OFFICE_HOURS: {opens:%H:%M} is not before {closes:%H:%M}.")
        intervals.append((opens, closes))
    intervals.sort()
    if not intervals:
        raise ImproperlyConfigured("OFFICE_HOURS is empty.")
    for (_, closes), (opens, _) in zip(intervals, intervals[1:], strict=False):
        if opens < closes:
            raise ImproperlyConfigured("OFFICE_HOURS: the periods overlap.")
    return tuple(intervals)


def office_hours() -> tuple[Interval, ...]:
    return parse_office_hours(getattr(settings, "OFFICE_HOURS", DEFAULT_OFFICE_HOURS))


def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError(f"{name} must be an aware datetime.")
    return timezone.localtime(moment, timezone.get_default_timezone())


class WorkCalendar:
    """Working days and office hours. Build one per call site: it loads the `CalendarDay` rows of
    each year it is asked about once (one small query per year) and keeps them."""

    def __init__(self, *, hours: Any = None) -> None:
        self.hours = office_hours() if hours is None else parse_office_hours(hours)
        self.tz = timezone.get_default_timezone()
        self._years: dict[int, dict[dt.date, str]] = {}

    # -- days ------------------------------------------------------------------------------

    def _rows(self, year: int) -> dict[dt.date, str]:
        rows = self._years.get(year)
        if rows is None:
            rows = dict(
                CalendarDay.objects.filter(date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31))).values_list(
                    "date", "kind"
                )
            )
            self._years[year] = rows
        return rows

    def covered(self, year: int) -> bool:
        """Whether the table knows anything about `year`; if not, it counts Monday to Friday."""
        return bool(self._rows(year))

    def is_working_day(self, day: dt.date) -> bool:
        kind = self._rows(day.year).get(day)
        if kind == CalendarDay.Kind.HOLIDAY:
            return False
        if kind == CalendarDay.Kind.WORKDAY:
            return True
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after `day`."""
        for offset in range(1, _MAX_DAYS):
            candidate = day + dt.timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"No working day within {_MAX_DAYS} days after {day}.")

    def periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The office-hour periods of `day` as aware datetimes; none on a day off."""
        if not self.is_working_day(day):
            return []
        return [
            (dt.datetime.combine(day, opens, tzinfo=self.tz), dt.datetime.combine(day, closes, tzinfo=self.tz))
            for opens, closes in self.hours
        ]

    def _periods_from(self, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Office-hour periods from `start` on, the first one clipped to start at `start`."""
        day = start.date()
        for _ in range(_MAX_DAYS):
            for opens, closes in self.periods(day):
                if closes > start:
                    yield max(opens, start), closes
            day += dt.timedelta(days=1)
        raise ValueError(f"No working time within {_MAX_DAYS} days after {start}.")

    # -- adding time -----------------------------------------------------------------------

    def add_working_seconds(self, start: dt.datetime, seconds: float) -> dt.datetime:
        start = _aware(start, "start")
        if seconds < 0:
            raise ValueError("Working time to add cannot be negative.")
        if seconds == 0:
            return start
        remaining = dt.timedelta(seconds=seconds)
        for opens, closes in self._periods_from(start):
            available = closes - opens
            if remaining <= available:
                return opens + remaining
            remaining -= available
        raise AssertionError("unreachable")  # _periods_from raises first

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """`hours` hours of office time after `start`; counting begins at the next opening when
        `start` is outside office hours, and a deadline that fills a period ends at its close."""
        return self.add_working_seconds(start, float(hours) * 3600)

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The close of office hours on the `days`-th working day after the start day (the start
        day itself never counts, whatever the hour). Zero days: the close of the start day if it
        is a working day and still open, otherwise of the next working day."""
        start = _aware(start, "start")
        if days < 0:
            raise ValueError("Working days to add cannot be negative.")
        day = start.date()
        if days == 0:
            periods = self.periods(day)
            if periods and periods[-1][1] > start:
                return periods[-1][1]
            days = 1
        for _ in range(days):
            day = self.next_working_day(day)
        return self.periods(day)[-1][1]

    def add_natural(self, start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
        """Clock time: for emergencies, whose limits are natural hours or minutes."""
        return _aware(start, "start") + delta

    def extend_by_working_seconds(self, deadline: dt.datetime, seconds: float) -> dt.datetime:
        """A deadline moved on by the working time a case was paused (suspended, or waiting for
        an extension): from a closing time, the extra time starts at the next opening."""
        return self.add_working_seconds(deadline, max(0.0, seconds))

    # -- measuring -------------------------------------------------------------------------

    def working_seconds_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Office-hour seconds from `a` to `b` (0 when `b` is not after `a`)."""
        a, b = _aware(a, "a"), _aware(b, "b")
        if b <= a:
            return 0.0
        total = 0.0
        day = a.date()
        while day <= b.date():
            for opens, closes in self.periods(day):
                overlap = (min(closes, b) - max(opens, a)).total_seconds()
                if overlap > 0:
                    total += overlap
            day += dt.timedelta(days=1)
        return total

    def deadline(self, start: dt.datetime, amount: float, unit: str) -> dt.datetime:
        if unit == "working_hours":
            return self.add_working_hours(start, amount)
        if unit == "working_days":
            return self.add_working_days(start, int(amount))
        if unit == "natural_hours":
            return self.add_natural(start, dt.timedelta(hours=amount))
        if unit == "natural_minutes":
            return self.add_natural(start, dt.timedelta(minutes=amount))
        raise ValueError(f"Unknown time limit unit {unit!r}; expected one of {', '.join(UNITS)}.")

    def used_fraction(
        self,
        start: dt.datetime,
        deadline: dt.datetime,
        now: dt.datetime,
        paused_seconds: float = 0,
        *,
        unit: str = "working_hours",
    ) -> float:
        """The share of the time limit used at `now`: 0.5 is half, above 1 is overdue.

        `deadline` is the current deadline, already extended for the pauses that ended, and
        `paused_seconds` is the working time of those pauses (it counts neither as used nor as
        part of the limit). While a case is paused, pass the moment the pause began as `now`.
        Natural-time units (emergencies) measure clock time instead of office time."""
        start, deadline, now = _aware(start, "start"), _aware(deadline, "deadline"), _aware(now, "now")
        if unit in NATURAL_UNITS:
            limit = (deadline - start).total_seconds() - paused_seconds
            used = (now - start).total_seconds() - paused_seconds
        else:
            limit = self.working_seconds_between(start, deadline) - paused_seconds
            used = self.working_seconds_between(start, now) - paused_seconds
            if now > deadline:
                # Overdue in the evening or on a day off is overdue all the same, although no
                # office time has passed since the deadline: keep the fraction above 1.
                used = max(used, limit + 1)
        if limit <= 0:
            return 1.0 if now >= deadline else 0.0
        return max(0.0, used) / limit


Light = Literal["green", "yellow", "red"]


def light(fraction: float) -> Light:
    """Green under 80 % of the limit used, yellow up to 100 %, red past the deadline."""
    if fraction > 1:
        return "red"
    return "yellow" if fraction >= YELLOW_FROM else "green"


def deadline(start: dt.datetime, amount: float, unit: str, *, calendar: WorkCalendar | None = None) -> dt.datetime:
    """The deadline of a time limit of `amount` `unit`s (one of `UNITS`) starting at `start`."""
    return (calendar or WorkCalendar()).deadline(start, amount, unit)


def used_fraction(
    start: dt.datetime,
    deadline: dt.datetime,
    now: dt.datetime,
    paused_seconds: float = 0,
    *,
    unit: str = "working_hours",
    calendar: WorkCalendar | None = None,
) -> float:
    """See `WorkCalendar.used_fraction`."""
    return (calendar or WorkCalendar()).used_fraction(start, deadline, now, paused_seconds, unit=unit)


# -- the table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryDay:
    date: dt.date
    kind: str
    name: str


def library_days() -> list[LibraryDay]:
    """Every holiday and make-up workday the installed `chinesecalendar` knows, names in Chinese."""
    import chinese_calendar  # type: ignore[import-untyped]

    def chinese(name: str) -> str:
        try:
            return str(chinese_calendar.Holiday(name).chinese)
        except ValueError:
            return name

    holiday, workday = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY
    days = [LibraryDay(day, holiday, chinese(name)) for day, name in chinese_calendar.holidays.items()]
    days += [LibraryDay(day, workday, chinese(name)) for day, name in chinese_calendar.workdays.items()]
    return sorted(days, key=lambda d: d.date)


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    deleted: int
    kept_admin: int
    years: tuple[int, ...]


@transaction.atomic
def sync_from_library(days: Sequence[LibraryDay] | None = None) -> SyncResult:
    """Bring the library's rows up to date with the installed `chinesecalendar`. Safe to run
    twice; rows an admin entered or changed (source=admin) are never touched. A library row for a
    date the library no longer lists (a corrected release) is removed."""
    days = library_days() if days is None else list(days)
    years = tuple(sorted({d.date.year for d in days}))
    wanted = {d.date: d for d in days}
    existing = {row.date: row for row in CalendarDay.objects.filter(date__year__in=years)} if years else {}
    updated = deleted = kept = 0
    to_create: list[CalendarDay] = []
    for day in days:
        row = existing.get(day.date)
        if row is None:
            to_create.append(
                CalendarDay(date=day.date, kind=day.kind, name=day.name, source=CalendarDay.Source.LIBRARY)
            )
        elif row.source == CalendarDay.Source.ADMIN:
            kept += 1
        elif (row.kind, row.name) != (day.kind, day.name):
            row.kind, row.name = day.kind, day.name
            row.save(update_fields=["kind", "name"])
            updated += 1
    CalendarDay.objects.bulk_create(to_create)
    stale = [
        row.pk for date, row in existing.items() if date not in wanted and row.source == CalendarDay.Source.LIBRARY
    ]
    if stale:
        deleted, _ = CalendarDay.objects.filter(pk__in=stale).delete()
    return SyncResult(created=len(to_create), updated=updated, deleted=deleted, kept_admin=kept, years=years)
