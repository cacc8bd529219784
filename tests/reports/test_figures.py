"""Figures over periods, read from stored rollups and live for today (the `week` scene; per-day
figures in tests/reports/test_rollups.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from chuangcheng.reports.models import DailyRollup
from chuangcheng.reports.queries import figures
from chuangcheng.reports.services.rollups import build_day
from tests.reports.conftest import D1, D2, D3, D4, D5, D6, at

LATER = at(D6 + dt.timedelta(days=3), 12)


@pytest.fixture
def stored(week):
    with time_machine.travel(LATER, tick=False):
        for day in (D1, D2, D3, D4, D5, D6):
            build_day(day)
    return week


def test_totals_sum_what_happened_and_keep_the_last_days_state(stored):
    with time_machine.travel(LATER, tick=False):
        total = figures.totals(stored.cast.street, D1, D3)
    assert total.days == 3
    assert (total.inspections, total.points_inspected, total.items_checked, total.items_failed) == (5, 4, 13, 3)
    assert (total.score, total.max_score) == (20, 26)
    assert (total.cases_opened, total.cases_from_residents, total.cases_dispatched) == (4, 2, 3)
    assert (total.cases_rectified, total.cases_rectified_on_time, total.cases_returned) == (3, 1, 1)
    assert (total.cases_closed, total.cases_wrong_unit) == (1, 1)
    # End of D3: C1 awaiting verification, C2 reported; nothing overdue. Points: the last day's.
    assert (total.cases_open, total.cases_overdue, total.points, total.zero_loss_points) == (2, 0, 5, 2)
    assert total.by_category == {"XC01": {"failed": 2, "opened": 2}, "SR01": {"failed": 1, "opened": 2}}
    assert total.score_rate == pytest.approx(100 * 20 / 26)
    assert total.fail_rate == pytest.approx(100 * 3 / 13)
    assert total.visit_rate == pytest.approx(100 * 2 / 3)
    # 按期处置率: C1's deadline (D2) missed, C3's (D3) met — 1 of 2.
    assert (total.cases_due, total.cases_due_met, total.cases_carried) == (2, 1, 0)
    assert total.on_time_rate == pytest.approx(50.0)


def test_rates_without_a_base_are_none(cast):
    with time_machine.travel(LATER, tick=False):
        total = figures.totals(cast.street, D3, D4)
    assert total.days == 2 and total.inspections == 0
    assert (total.score_rate, total.fail_rate, total.visit_rate, total.on_time_rate) == (None,) * 4


def test_stored_rows_are_read_not_recomputed(stored):
    DailyRollup.objects.filter(region=stored.cast.street, day=D2).update(inspections=99)
    with time_machine.travel(LATER, tick=False):
        assert figures.totals(stored.cast.street, D2, D2).inspections == 99


def test_days_not_stored_and_today_are_computed_live_and_not_stored(week):
    """Nothing stored: D1 to D5 are computed from their rows; today (D2 at 18:00) up to now."""
    with time_machine.travel(LATER, tick=False):
        assert figures.totals(week.cast.street, D1, D5).cases_rectified == 3
    with time_machine.travel(at(D2, 18), tick=False):
        today = figures.totals(week.cast.street, D2, D2 + dt.timedelta(days=5))
    assert today.days == 1  # the future has no figures
    assert (today.inspections, today.cases_closed, today.cases_open, today.cases_overdue) == (1, 1, 2, 1)
    assert not DailyRollup.objects.exists()


def test_today_is_live_even_beside_stored_days(stored):
    with time_machine.travel(at(D3, 12), tick=False):
        rows = figures.per_day(stored.cast.street, D1, D3)
        # A stored row for today (written by hand) is ignored.
        DailyRollup.objects.filter(region=stored.cast.street, day=D3).update(cases_rectified=42)
        again = figures.per_day(stored.cast.street, D1, D3)
    assert [day for day, _f in rows] == [D1, D2, D3]
    assert rows[2][1].cases_rectified == 1  # by noon on D3 only the first rectification
    assert again[2][1].cases_rectified == 1


def test_per_week_splits_iso_weeks_monday_first(stored):
    with time_machine.travel(LATER, tick=False):
        weeks = figures.per_week(stored.cast.street, D1 - dt.timedelta(days=2), D1 + dt.timedelta(days=7))
    assert [label for label, _f in weeks] == ["2026-W22", "2026-W23", "2026-W24"]
    assert [f.days for _l, f in weeks] == [2, 7, 1]
    assert weeks[1][1].cases_opened == 4 and weeks[1][1].cases_reopened == 1
    assert weeks[0][1].inspections == 0


def test_children_are_the_communities_in_order_and_sum_to_the_street(stored):
    cast = stored.cast
    with time_machine.travel(LATER, tick=False):
        rows = figures.children(cast.street, D1, D5)
        street = figures.totals(cast.street, D1, D5)
        grids = figures.children(cast.community_a, D1, D5)
        community_a = figures.totals(cast.community_a, D1, D5)
        district = figures.totals(cast.district, D1, D5)
    assert [region.code for region, _f in rows] == [cast.community_a.code, cast.community_b.code]
    assert sum(f.inspections for _r, f in rows) == street.inspections == 5
    assert sum(f.cases_open for _r, f in rows) == street.cases_open == 2
    assert [(r.code, f.inspections) for r, f in grids] == [(cast.grid_a.code, community_a.inspections)]
    assert community_a.inspections == 3 and community_a.cases_rectified == 3
    assert (district.inspections, district.cases_open) == (5, 2)


def test_units_of_the_street_with_their_rates(stored):
    with time_machine.travel(LATER, tick=False):
        rows = figures.units(stored.cast.street, D1, D5)
    by_code = {unit.code: f for unit, f in rows}
    assert list(by_code) == ["CG", "WY-A"]  # city management before property (kind, code)
    prop = by_code["WY-A"]
    assert (prop.cases_dispatched, prop.cases_rectified, prop.cases_rectified_on_time) == (2, 3, 1)
    assert (prop.cases_returned, prop.cases_closed, prop.cases_reopened, prop.cases_open) == (1, 2, 1, 1)
    assert (prop.cases_due, prop.cases_due_met, prop.cases_first_time) == (2, 1, 1)
    assert prop.on_time_rate == pytest.approx(50.0)
    assert prop.rework_rate == pytest.approx(100 / 3)
    assert (by_code["CG"].cases_wrong_unit, by_code["CG"].on_time_rate) == (1, None)


def test_units_are_live_where_nothing_is_stored(week):
    with time_machine.travel(LATER, tick=False):
        rows = figures.units(week.cast.street, D1, D5)
    assert {unit.code: f.cases_rectified for unit, f in rows} == {"CG": 0, "WY-A": 3}


def test_category_names_show_the_group(db):
    names = figures.category_names()
    assert names["XC01"].endswith("非法小广告") and "›" in names["XC01"]


def test_days_before_the_first_stored_day_had_no_data_and_are_not_computed(stored, django_assert_max_num_queries):
    # No live computation of the 30 days before the first stored one.
    with time_machine.travel(LATER, tick=False), django_assert_max_num_queries(4):
        total = figures.totals(stored.cast.street, D1 - dt.timedelta(days=30), D2)
    assert total.days == 32 and total.inspections == 5  # 2 May to 2 June


def test_other_figures_add_up_over_days_but_overdue_tasks_are_the_last_days() -> None:
    from chuangcheng.reports.queries.figures import Figures

    week = Figures()
    week.add_day({"extra": {"tasks_overdue": 3, "volunteer_hours": 2.0, "household_visits": 4}}, last=False)
    week.add_day({"extra": {"tasks_overdue": 1, "household_visits": 5}}, last=False)
    week.add_day({"extra": {"volunteer_hours": 1.5}}, last=True)
    # Nothing overdue at the end of the last day; hours and visits summed.
    assert week.extra == {"volunteer_hours": 3.5, "household_visits": 9}
    other = Figures()
    other.add_day({"extra": {"tasks_overdue": 2, "household_visits": 1}}, last=True)
    assert week.merge(other).extra == {"volunteer_hours": 3.5, "household_visits": 10, "tasks_overdue": 2}
