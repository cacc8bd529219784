"""Publicity's part of the daily figures (reports' rollups): summable counts per region and day.

`households_reached` counts a household on the first day of the year it was visited with result
"visited", so summing a year's days up to a date gives the households covered so far that year."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Sum

from chuangcheng.core import clock
from chuangcheng.engagement.publicity.models import HouseholdVisit, OfflineItem, PushDelivery
from chuangcheng.notify.models import Message, Status
from chuangcheng.org.models import Region

FIGURES = ("pushes_sent", "offline_items_added", "household_visits", "households_reached")


def day_extra(day: dt.date, street: Region) -> dict[int, dict[str, int | float]]:
    """For the street, each of its communities and each of its grids (by region id): group
    deliveries sent that day, items put up that day (by their count), visits that day that reached
    someone, and households covered for the first time that year on that day."""
    regions = list(Region.objects.filter(path__startswith=street.path,
                                         level__in=[Region.Level.STREET, Region.Level.COMMUNITY,
                                                    Region.Level.GRID]).only("id", "path", "level", "parent_id"))
    figures: dict[int, dict[str, int | float]] = {r.pk: dict.fromkeys(FIGURES, 0) for r in regions}
    grids = {r.pk: r for r in regions if r.level == Region.Level.GRID}
    start, end = clock.day_bounds(day)
    inside = street.path

    per_grid: dict[str, Counter[int]] = {name: Counter() for name in FIGURES}
    per_grid["pushes_sent"].update(dict(
        # From the day's sent messages (an index on the time), not from every delivery of the grids.
        PushDelivery.objects.filter(grid__path__startswith=inside, message__in=Message.objects.filter(
            status=Status.SENT, sent_at__gte=start, sent_at__lt=end).values("pk"))
        .values("grid").annotate(n=Count("id")).values_list("grid", "n")))
    per_grid["offline_items_added"].update(dict(
        OfflineItem.objects.filter(point__grid__path__startswith=inside, put_up_on=day)
        .values("point__grid").annotate(n=Sum("count")).values_list("point__grid", "n")))
    visited = HouseholdVisit.objects.filter(grid__path__startswith=inside, result=HouseholdVisit.Result.VISITED)
    per_grid["household_visits"].update(dict(
        visited.filter(day=day).values("grid").annotate(n=Count("id")).values_list("grid", "n")))
    # The day's households not visited earlier this year: from the day's rows, each checked on an index,
    # so the cost follows the day and not the year's history.
    earlier = visited.filter(grid=OuterRef("grid"), household=OuterRef("household"),
                             day__gte=dt.date(day.year, 1, 1), day__lt=day)
    firsts = visited.filter(day=day).exclude(Exists(earlier)).order_by().values("grid", "household").distinct()
    per_grid["households_reached"].update(Counter(row["grid"] for row in firsts))

    by_path = {r.path: r.pk for r in regions}
    for name, counter in per_grid.items():
        for grid_id, n in counter.items():
            grid = grids.get(grid_id)
            if grid is None or not n:
                continue
            for region_id in _self_and_ancestors(grid, by_path):
                figures[region_id][name] = int(figures[region_id][name]) + int(n)
    return figures


def _self_and_ancestors(grid: Region, by_path: dict[str, int]) -> list[int]:
    parts = [p for p in grid.path.strip("/").split("/") if p]
    found = []
    for i in range(len(parts), 0, -1):
        region_id = by_path.get("/" + "/".join(parts[:i]) + "/")
        if region_id is not None:
            found.append(region_id)
    return found
