"""Deadlines in working time. The holiday table is seeded from chinesecalendar by migration, so
2026 (National Day 10-01..10-07, make-up Sundays/Saturdays 09-20 and 10-10) is known and 2027 is
not (the State Council announces it in November or December)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings

from chuangcheng.core import workcal
from chuangcheng.core.models import CalendarDay
from chuangcheng.core.workcal import WorkCalendar

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


# -- working days ------------------------------------------------------------------------------


def test_the_migration_seeds_every_year_the_library_knows() -> None:
    years = set(CalendarDay.objects.values_list("date__year", flat=True))
    assert set(range(2004, 2027)) <= years
    national_day = CalendarDay.objects.get(date=dt.date(2026, 10, 1))
    assert (national_day.kind, national_day.name, national_day.source) == ("holiday", "国庆节", "library")


def test_a_case_created_before_national_day_with_two_working_days_ends_after_the_holiday() -> None:
    # Wed 30 Sep, then 1–7 Oct off: the 1st following working day is Thu 8 Oct, the 2nd Fri 9 Oct.
    assert workcal.deadline(at(2026, 9, 30, 10), 2, "working_days") == at(2026, 10, 9, 17, 30)
    assert workcal.deadline(at(2026, 9, 30, 10), 1, "working_days") == at(2026, 10, 8, 17, 30)


def test_working_hours_skip_the_holiday_week() -> None:
    # 1.5 h left on 30 Sep, the other 2.5 h on 8 Oct.
    assert workcal.deadline(at(2026, 9, 30, 16), 4, "working_hours") == at(2026, 10, 8, 11, 0)


def test_a_make_up_saturday_counts_as_a_working_day() -> None:
    calendar = WorkCalendar()
    assert dt.date(2026, 10, 10).weekday() == 5
    assert calendar.is_working_day(dt.date(2026, 10, 10))
    assert calendar.is_working_day(dt.date(2026, 9, 20))  # a make-up Sunday
    assert not calendar.is_working_day(dt.date(2026, 10, 17))  # an ordinary Saturday
    assert workcal.deadline(at(2026, 10, 9, 10), 1, "working_days") == at(2026, 10, 10, 17, 30)


def test_a_holiday_on_a_weekday_is_not_a_working_day() -> None:
    calendar = WorkCalendar()
    assert not calendar.is_working_day(dt.date(2026, 10, 5))  # Monday
    assert calendar.is_working_day(dt.date(2026, 10, 8))


def test_a_deadline_from_30_december_runs_into_the_uncovered_year_monday_to_friday() -> None:
    calendar = WorkCalendar()
    assert calendar.covered(2026)
    assert not calendar.covered(2027)
    # Thu 31 Dec, Fri 1 Jan 2027 (no schedule yet: an ordinary Friday), Mon 4 Jan.
    assert calendar.deadline(at(2026, 12, 30, 10), 3, "working_days") == at(2027, 1, 4, 17, 30)
    assert not calendar.is_working_day(dt.date(2027, 1, 2))


def test_an_admin_row_for_the_new_year_is_honoured() -> None:
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦", source="admin")
    calendar = WorkCalendar()
    assert calendar.covered(2027)
    assert not calendar.is_working_day(dt.date(2027, 1, 1))
    assert calendar.deadline(at(2026, 12, 30, 10), 3, "working_days") == at(2027, 1, 5, 17, 30)


def test_a_make_up_workday_must_be_a_weekend_day() -> None:
    row = CalendarDay(date=dt.date(2027, 1, 4), kind="workday", name="元旦", source="admin")
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert "kind" in caught.value.message_dict


def test_the_calendar_loads_each_year_once(django_assert_num_queries: Any) -> None:
    calendar = WorkCalendar()
    with django_assert_num_queries(2):
        calendar.deadline(at(2026, 12, 30, 10), 5, "working_days")
        calendar.deadline(at(2026, 12, 28, 10), 5, "working_days")


# -- working hours -----------------------------------------------------------------------------


def test_working_hours_cross_the_lunch_break() -> None:
    # Mon 30 Nov 2026: 11:00–12:00 is one hour, the second starts at 14:00.
    assert workcal.deadline(at(2026, 11, 30, 11), 2, "working_hours") == at(2026, 11, 30, 15, 0)


def test_working_hours_cross_the_evening_into_the_next_morning() -> None:
    assert workcal.deadline(at(2026, 11, 30, 17), 2, "working_hours") == at(2026, 12, 1, 10, 0)


def test_a_limit_that_fills_the_morning_ends_at_noon_not_after_lunch() -> None:
    assert workcal.deadline(at(2026, 11, 30, 10), 2, "working_hours") == at(2026, 11, 30, 12, 0)


def test_a_case_reported_in_the_evening_begins_counting_at_the_next_opening() -> None:
    assert workcal.deadline(at(2026, 11, 30, 20), 2, "working_hours") == at(2026, 12, 1, 10, 30)
    assert workcal.deadline(at(2026, 11, 30, 20), 1, "working_days") == at(2026, 12, 1, 17, 30)


def test_a_case_reported_at_the_weekend_begins_counting_on_monday() -> None:
    saturday = at(2026, 12, 5, 9)
    assert workcal.deadline(saturday, 2, "working_hours") == at(2026, 12, 7, 10, 30)
    assert workcal.deadline(saturday, 1, "working_days") == at(2026, 12, 7, 17, 30)


def test_a_case_reported_at_lunch_begins_counting_at_two() -> None:
    assert workcal.deadline(at(2026, 11, 30, 12, 30), 1, "working_hours") == at(2026, 11, 30, 15, 0)


def test_natural_hours_and_minutes_are_clock_time() -> None:
    friday_night = at(2026, 12, 4, 22)
    assert workcal.deadline(friday_night, 2, "natural_hours") == at(2026, 12, 5, 0, 0)
    assert workcal.deadline(friday_night, 30, "natural_minutes") == at(2026, 12, 4, 22, 30)


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="weeks"):
        workcal.deadline(at(2026, 11, 30, 9), 1, "weeks")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        workcal.deadline(dt.datetime(2026, 11, 30, 9), 1, "working_hours")  # noqa: DTZ001


def test_deadlines_are_in_shanghai_time_whatever_zone_the_start_is_in() -> None:
    start_utc = at(2026, 11, 30, 11).astimezone(dt.UTC)
    result = workcal.deadline(start_utc, 2, "working_hours")
    assert result == at(2026, 11, 30, 15, 0)
    assert result.utcoffset() == dt.timedelta(hours=8)


@override_settings(OFFICE_HOURS=(("09:00", "12:00"), ("13:00", "18:00")))
def test_office_hours_come_from_settings() -> None:
    assert workcal.deadline(at(2026, 11, 30, 11), 2, "working_hours") == at(2026, 11, 30, 14, 0)
    assert workcal.deadline(at(2026, 11, 30, 11), 1, "working_days") == at(2026, 12, 1, 18, 0)


def test_office_hours_may_be_written_as_one_string() -> None:
    assert workcal.parse_office_hours("08:30-12:00, 14:00-17:30") == workcal.parse_office_hours(
        workcal.DEFAULT_OFFICE_HOURS
    )


@pytest.mark.parametrize("value", ["", "12:00-08:30", "08:30-12:00,11:00-17:30", "8h-12h"])
def test_broken_office_hours_fail_loudly(value: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        workcal.parse_office_hours(value)


# -- measuring and pausing ---------------------------------------------------------------------


def test_working_seconds_between_count_only_office_hours() -> None:
    calendar = WorkCalendar()
    assert calendar.working_seconds_between(at(2026, 11, 30, 11), at(2026, 11, 30, 15)) == 2 * 3600
    # Fri 17:00 to Mon 09:00: half an hour on Friday, half an hour on Monday.
    assert calendar.working_seconds_between(at(2026, 12, 4, 17), at(2026, 12, 7, 9)) == 3600
    assert calendar.working_seconds_between(at(2026, 12, 7, 9), at(2026, 12, 4, 17)) == 0


def test_a_paused_case_has_its_deadline_extended_by_the_working_time_it_was_paused() -> None:
    calendar = WorkCalendar()
    deadline = calendar.deadline(at(2026, 11, 30, 9), 1, "working_days")  # Tue 1 Dec 17:30
    paused = calendar.working_seconds_between(at(2026, 11, 30, 16), at(2026, 12, 1, 9, 30))  # 1.5 h + 1 h
    assert paused == 2.5 * 3600
    assert calendar.extend_by_working_seconds(deadline, paused) == at(2026, 12, 2, 11, 0)


def test_extending_by_nothing_keeps_the_deadline() -> None:
    deadline = at(2026, 12, 1, 17, 30)
    assert WorkCalendar().extend_by_working_seconds(deadline, 0) == deadline


class TestTrafficLight:
    """A 10-working-hour limit from Mon 30 Nov 08:30 ends Tue 1 Dec 11:30 (7 h + 3 h)."""

    start = at(2026, 11, 30, 8, 30)
    deadline = at(2026, 12, 1, 11, 30)

    def test_the_limit_ends_where_expected(self) -> None:
        assert workcal.deadline(self.start, 10, "working_hours") == self.deadline

    def test_79_percent_used_is_green(self) -> None:
        fraction = workcal.used_fraction(self.start, self.deadline, at(2026, 12, 1, 9, 24))
        assert fraction == pytest.approx(0.79)
        assert workcal.light(fraction) == "green"

    def test_80_percent_used_is_yellow(self) -> None:
        fraction = workcal.used_fraction(self.start, self.deadline, at(2026, 12, 1, 9, 30))
        assert fraction == pytest.approx(0.80)
        assert workcal.light(fraction) == "yellow"

    def test_100_percent_used_at_the_deadline_is_still_yellow(self) -> None:
        fraction = workcal.used_fraction(self.start, self.deadline, self.deadline)
        assert fraction == pytest.approx(1.0)
        assert workcal.light(fraction) == "yellow"

    def test_past_the_deadline_is_red_even_at_night(self) -> None:
        # No office time has passed since 11:30 by lunch; still overdue.
        assert workcal.light(workcal.used_fraction(self.start, self.deadline, at(2026, 12, 1, 12, 30))) == "red"
        assert workcal.light(workcal.used_fraction(self.start, self.deadline, at(2026, 12, 2, 9, 0))) == "red"

    def test_paused_working_time_counts_neither_as_used_nor_as_limit(self) -> None:
        # Paused two working hours on Monday, so the deadline moved on by two hours.
        calendar = WorkCalendar()
        extended = calendar.extend_by_working_seconds(self.deadline, 2 * 3600)
        assert extended == at(2026, 12, 1, 15, 30)
        fraction = calendar.used_fraction(self.start, extended, at(2026, 12, 1, 9, 30), paused_seconds=2 * 3600)
        assert fraction == pytest.approx(0.6)

    def test_natural_limits_measure_clock_time(self) -> None:
        start = at(2026, 12, 4, 22)
        deadline = workcal.deadline(start, 60, "natural_minutes")
        fraction = workcal.used_fraction(start, deadline, at(2026, 12, 4, 22, 48), unit="natural_minutes")
        assert fraction == pytest.approx(0.8)
