from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chuangcheng.core import clock
from chuangcheng.org.models import Region
from chuangcheng.reports.services import rollups


class Command(BaseCommand):
    help = ("Store the daily figures (rollups) of finished days. Without dates: every day not stored yet, "
            "as the periodic job does. With --from/--to: rebuild those days (replacing what is stored). "
            "Running it twice changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help=_("the first day, YYYY-MM-DD"))
        parser.add_argument("--to", dest="end", help=_("the last day, YYYY-MM-DD (default: yesterday)"))
        parser.add_argument("--street", help=_("the subdistrict's code (default: every subdistrict)"))

    def _date(self, value: str | None, name: str) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(_("Give %(option)s as YYYY-MM-DD, not “%(value)s”.")
                               % {"option": name, "value": value}) from exc

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = self._date(options["start"], "--from"), self._date(options["end"], "--to")
        street = None
        if options["street"]:
            street = Region.objects.filter(level=Region.Level.STREET, code=options["street"]).first()
            if street is None:
                raise CommandError(_("No subdistrict has the code %(code)s.") % {"code": options["street"]})
        today = clock.today()
        if start is None and end is None and street is None:
            days = rollups.build_missing_days()
            self.stdout.write(_("%(days)d days stored.") % {"days": days})
            return
        end = end or today - dt.timedelta(days=1)
        if start is None:
            first = min(filter(None, (rollups.first_day_with_data(s) for s in
                                      ([street] if street else rollups.all_streets()))), default=None)
            start = first or end
        if start > end:
            raise CommandError(_("--from (%(start)s) is after --to (%(end)s).")
                               % {"start": start.isoformat(), "end": end.isoformat()})
        if end >= today:
            raise CommandError(_("Only finished days are stored: give a --to before today (%(today)s).")
                               % {"today": today.isoformat()})

        def progress(day: dt.date, done: int, total: int) -> None:
            self.stdout.write(_("%(day)s stored (%(done)d of %(total)d)")
                              % {"day": day.isoformat(), "done": done, "total": total})

        rows = rollups.rebuild(start, end, street=street, progress=progress)
        self.stdout.write(_("%(rows)d rows written.") % {"rows": rows})
