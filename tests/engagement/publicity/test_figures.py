"""Publicity's daily figures for the rollups: per grid, rolled up to community and street, and
summable (households reached on their first visit of the year add up to households covered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from chuangcheng.engagement.publicity import queries, services
from chuangcheng.engagement.publicity.figures import day_extra
from chuangcheng.engagement.publicity.models import HouseholdVisit, OfflineItem
from tests.conftest import Cast
from tests.engagement.publicity.conftest import Places, Receiver, robot

DAY = dt.date(2026, 11, 26)
VISITED = HouseholdVisit.Result.VISITED


def _visit(cast: Cast, grid: Any, room: str, day: dt.date, result: str = VISITED) -> None:
    services.record_visit(grid, by=cast.street_admin, building="1", room=room, day=day, result=result,
                          topics=["campaign"] if result == VISITED else [])


@pytest.mark.django_db
def test_day_extra_counts_each_figure_per_grid_community_and_street(
    cast: Cast, places: Places, receiver: Receiver, django_capture_on_commit_callbacks: Any,
) -> None:
    robot(cast.grid_a, receiver.url)
    robot(cast.grid_a, receiver.url, name="second group")
    robot(cast.grid_b, receiver.url)
    with time_machine.travel("2026-11-26 10:00 +0800", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.push_message(by=cast.street_admin, title="t", text="x", grids=[cast.grid_a, cast.grid_b])
        services.register_item(places.bus_stop, by=cast.street_admin, kind=OfflineItem.Kind.BOARD, theme="t",
                               count=3, put_up_on=DAY)
        services.register_item(places.road_b, by=cast.street_admin, kind=OfflineItem.Kind.BANNER, theme="t",
                               count=1, put_up_on=DAY)
        services.register_item(places.road_b, by=cast.street_admin, kind=OfflineItem.Kind.BOARD, theme="t",
                               count=5, put_up_on=DAY - dt.timedelta(days=1))
        _visit(cast, cast.grid_a, "101", DAY - dt.timedelta(days=5))  # reached before: not reached again
        _visit(cast, cast.grid_a, "101", DAY)
        _visit(cast, cast.grid_a, "102", DAY)
        _visit(cast, cast.grid_a, "103", DAY, HouseholdVisit.Result.NOBODY_HOME)
        _visit(cast, cast.grid_b, "201", DAY)
    # Sent after midnight: the next day's figure.
    with time_machine.travel("2026-11-27 02:00 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        services.push_message(by=cast.street_admin, title="t", text="y", grids=[cast.grid_b])
    figures = day_extra(DAY, cast.street)
    assert figures[cast.grid_a.pk] == {"pushes_sent": 2, "offline_items_added": 3, "household_visits": 2,
                                       "households_reached": 1}
    assert figures[cast.grid_b.pk] == {"pushes_sent": 1, "offline_items_added": 1, "household_visits": 1,
                                       "households_reached": 1}
    assert figures[cast.community_a.pk] == figures[cast.grid_a.pk]
    assert figures[cast.street.pk] == {"pushes_sent": 3, "offline_items_added": 4, "household_visits": 3,
                                       "households_reached": 2}
    assert day_extra(DAY + dt.timedelta(days=1), cast.street)[cast.street.pk]["pushes_sent"] == 1
    assert cast.district.pk not in figures


@pytest.mark.django_db
def test_households_reached_sum_over_the_year_to_the_households_covered(cast: Cast) -> None:
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        # 102 is recorded twice on the same day (a second member of the household at home): one household.
        plan = [("101", dt.date(2025, 12, 30)), ("101", dt.date(2026, 1, 2)), ("102", dt.date(2026, 1, 2)),
                ("102", dt.date(2026, 1, 2)),
                ("101", dt.date(2026, 1, 5)), ("103", dt.date(2026, 1, 5)), ("104", dt.date(2026, 1, 6))]
        for room, day in plan:
            _visit(cast, cast.grid_a, room, day)
        _visit(cast, cast.grid_a, "105", dt.date(2026, 1, 6), HouseholdVisit.Result.REFUSED)
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(7)]
    total = sum(int(day_extra(day, cast.street)[cast.grid_a.pk]["households_reached"]) for day in days)
    [block] = [b for b in queries.coverage(cast.street_admin, start=days[0], end=days[-1])
               if b.total.region == cast.community_a]
    assert total == block.grids[0].covered == 4
