"""The demo's published bulletins: one for every past day of its history, drafted and published in
date order, each at that evening's time, through the same services as a street admin's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from chuangcheng.core import clock
from chuangcheng.org.models import Region
from chuangcheng.reports.models import Bulletin, Publication
from chuangcheng.reports.services.bulletins import draft_bulletin, draft_time, publish_bulletin

# Published an hour after the evening draft, as a street admin would after reading it.
PUBLISH_AFTER = dt.timedelta(hours=1)


def publish_history(street: Region, days: Iterable[dt.date], by: Any,
                    progress: Callable[[int, int], None] | None = None) -> int:
    """Draft and publish the bulletin of each past day (today's is left to the evening job).
    Days already published are skipped, so a second run adds nothing. Returns how many it published."""
    today = clock.today()
    wanted = sorted(day for day in set(days) if day < today)
    done = set(Bulletin.objects.filter(street=street, day__in=wanted, status=Publication.PUBLISHED)
               .values_list("day", flat=True))
    published = 0
    tz = timezone.get_current_timezone()
    for index, day in enumerate(wanted, start=1):
        if day not in done:
            evening = dt.datetime.combine(day, draft_time(), tzinfo=tz)
            with clock.pinned(evening):
                bulletin = draft_bulletin(street, day, by=None)
            with clock.pinned(evening + PUBLISH_AFTER):
                publish_bulletin(bulletin, by=by)
            published += 1
        if progress is not None:
            progress(index, len(wanted))
    return published
