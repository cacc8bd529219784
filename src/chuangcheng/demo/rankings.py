"""The demo's published weekly rankings: one for every finished week of its history, computed and
published in week order on the following Monday morning, through the same services as a street
admin's (so each week's change in rank is against the week before)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from chuangcheng.core import clock
from chuangcheng.org.models import Region
from chuangcheng.reports.models import Publication, Ranking
from chuangcheng.reports.services.rankings import compute_ranking, monday_of, publish_ranking

# Monday morning: computed at 08:00 by the scheduler, published at 09:00 by the street admin.
COMPUTE_AT = dt.time(8, 0)
PUBLISH_AFTER = dt.timedelta(hours=1)


def publish_history(street: Region, weeks: Iterable[dt.date], by: Any,
                    progress: Callable[[int, int], None] | None = None) -> int:
    """Compute and publish the ranking of each finished week (`weeks`: any day of each week, e.g.
    the history's days). Weeks already published are skipped, so a second run adds nothing.
    Returns how many it published."""
    this_monday = monday_of(clock.today())
    wanted = sorted({monday_of(day) for day in weeks if monday_of(day) < this_monday})
    done = set(Ranking.objects.filter(street=street, week_start__in=wanted, status=Publication.PUBLISHED)
               .values_list("week_start", flat=True))
    published = 0
    tz = timezone.get_current_timezone()
    for index, monday in enumerate(wanted, start=1):
        if monday not in done:
            morning = dt.datetime.combine(monday + dt.timedelta(days=7), COMPUTE_AT, tzinfo=tz)
            with clock.pinned(morning):
                ranking = compute_ranking(street, monday)
            with clock.pinned(morning + PUBLISH_AFTER):
                publish_ranking(ranking, by=by)
            published += 1
        if progress is not None:
            progress(index, len(wanted))
    return published
