"""The figures of the campaign's other work (task lists, volunteers, publicity, surveys) for a day's
rollups, from each app's `day_extra(day, street)`. Each returns summable numbers by region id for the
street, its communities and grids; they are stored in `DailyRollup.extra`, summed over any period
by `queries.figures`, and read by the ranking's participation part (see `reports.ranking`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import import_module
from typing import Any

from chuangcheng.org.models import Region

# Imported when first used, so each app stays free to be loaded without the others.
SOURCES = (
    "chuangcheng.engagement.tasklists.figures",
    "chuangcheng.engagement.volunteering.figures",
    "chuangcheng.engagement.publicity.figures",
    "chuangcheng.surveys.figures",
)

DayExtra = Callable[[dt.date, Region], dict[int, dict[str, Any]]]


def sources() -> list[DayExtra]:
    return [import_module(name).day_extra for name in SOURCES]


def day_extra(day: dt.date, street: Region) -> dict[int, dict[str, Any]]:
    """Every source's figures of `day`, merged by region id (names never overlap between sources;
    if two did, their numbers would be added)."""
    merged: dict[int, dict[str, Any]] = {}
    for source in sources():
        for region_id, figures in source(day, street).items():
            target = merged.setdefault(region_id, {})
            for name, value in figures.items():
                if value:
                    target[name] = target.get(name, 0) + value
    return merged
