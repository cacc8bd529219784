"""The demo's stored figures: every finished day of its history, so its bulletins, rankings and
dashboards read rollups from the start, as a site running for weeks would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext as _

from chuangcheng.core import clock
from chuangcheng.reports.services import rollups


def build_rollups(progress: Callable[[str, int, int], None] | None = None) -> int:
    """Store the rollups of every day from the first with data to yesterday (replacing any);
    returns the number of days built. `progress(label, done, total)` is told about ten times."""
    firsts = [day for day in (rollups.first_day_with_data(s) for s in rollups.all_streets()) if day]
    if not firsts:
        return 0
    last = clock.today() - dt.timedelta(days=1)
    days = [min(firsts) + dt.timedelta(days=i) for i in range((last - min(firsts)).days + 1)]
    label = _("Daily figures")
    for done, day in enumerate(days, start=1):
        rollups.build_day(day)
        if progress is not None and (done == len(days) or done % max(1, len(days) // 10) == 0):
            progress(label, done, len(days))
    return len(days)
