"""The demo's published bulletins: one for every past day of its history, drafted and published in
date order, each at that evening's time, through the same services as a street admin's, with the
editor's note (按语) a street admin writes from what the draft shows; and the monthly bulletin of
every month the history has finished."""

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
    done = set(Bulletin.objects.filter(street=street, kind=Bulletin.Kind.DAILY, day__in=wanted,
                                       status=Publication.PUBLISHED)
               .values_list("day", flat=True))
    published = 0
    tz = timezone.get_current_timezone()
    for index, day in enumerate(wanted, start=1):
        if day not in done:
            evening = dt.datetime.combine(day, draft_time(), tzinfo=tz)
            with clock.pinned(evening):
                bulletin = draft_bulletin(street, day, by=None)
            with clock.pinned(evening + PUBLISH_AFTER):
                publish_bulletin(bulletin, by=by, remarks=editors_note(bulletin.content))
            published += 1
        if progress is not None:
            progress(index, len(wanted))
    published += publish_months(street, wanted, by=by)
    return published


def editors_note(content: dict[str, Any]) -> str:
    """The 按语 a street admin writes after reading the draft: the communities on the black list
    (or that none is) and the deadline the draft asks for, nothing the draft does not say."""
    black = [row["name"] for row in content.get("honor", {}).get("black", []) if row["kind"] == "community"]
    deadline = dt.date.fromisoformat(content["requirements"]["deadline"])
    when = f"{deadline.month}月{deadline.day}日"
    if black:
        return (f"{'、'.join(black)}本期问题较多，请对照通报所列点位逐一整改，{when}前报街道创城办销号，"
                "街道将组织复查。")
    return "本期各社区未有列入黑榜的，请保持势头，继续抓好零失分点位的日常自查。"


def publish_months(street: Region, days: list[dt.date], by: Any) -> int:
    """The 月度通报 of each month the history covers whole and that has ended, published on the
    first evening after it."""
    today = clock.today()
    if not days:
        return 0
    firsts = sorted({day.replace(day=1) for day in days if day.replace(day=1) >= days[0]})
    published = 0
    tz = timezone.get_current_timezone()
    for first in firsts:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        if following > today or Bulletin.objects.filter(street=street, kind=Bulletin.Kind.MONTHLY, day=first,
                                                         status=Publication.PUBLISHED).exists():
            continue
        evening = dt.datetime.combine(following, draft_time(), tzinfo=tz)
        with clock.pinned(evening):
            bulletin = draft_bulletin(street, first, by=None, kind=Bulletin.Kind.MONTHLY)
        with clock.pinned(evening + PUBLISH_AFTER):
            publish_bulletin(bulletin, by=by, remarks=editors_note(bulletin.content))
        published += 1
    return published
