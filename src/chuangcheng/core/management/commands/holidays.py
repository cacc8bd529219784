from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from chuangcheng.core import clock, workcal
from chuangcheng.core.models import CalendarDay


class Command(BaseCommand):
    help = (
        "Statutory holidays and make-up workdays used for deadlines: list a year, or refresh the "
        "rows that come from the chinesecalendar package (rows entered by admins are kept)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="List the holidays and make-up workdays of this year.")
        parser.add_argument(
            "--sync", action="store_true", help="Refresh the rows from the installed chinesecalendar package."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sync"]:
            self.sync()
        if options["year"] is not None:
            self.list_year(options["year"])
        elif not options["sync"]:
            self.summary()

    def sync(self) -> None:
        result = workcal.sync_from_library()
        first, last = (result.years[0], result.years[-1]) if result.years else (0, 0)
        self.stdout.write(
            _(
                "Synced %(first)s–%(last)s from chinesecalendar: %(created)s added, %(updated)s changed, "
                "%(deleted)s removed, %(kept)s entered by admins kept."
            )
            % {
                "first": first,
                "last": last,
                "created": result.created,
                "updated": result.updated,
                "deleted": result.deleted,
                "kept": result.kept_admin,
            }
        )
        self.warn_uncovered([clock.today().year, clock.today().year + 1])

    def list_year(self, year: int) -> None:
        rows = list(CalendarDay.objects.filter(date__year=year))
        for row in rows:
            self.stdout.write(
                f"{row.date:%Y-%m-%d}  {row.get_kind_display()}  {row.name}  ({row.get_source_display()})"
            )
        self.warn_uncovered([year])

    def summary(self) -> None:
        years = (
            CalendarDay.objects.annotate(year=ExtractYear("date"))
            .values("year")
            .annotate(count=Count("id"))
            .order_by("year")
        )
        for item in years:
            self.stdout.write(_("%(year)s: %(count)s days") % item)
        self.warn_uncovered([clock.today().year, clock.today().year + 1])

    def warn_uncovered(self, years: list[int]) -> None:
        calendar = workcal.WorkCalendar()
        for year in years:
            if not calendar.covered(year):
                self.stderr.write(
                    self.style.WARNING(
                        _(
                            "No holidays are known for %(year)s: deadlines in %(year)s count Monday to Friday "
                            "only. Enter the State Council's schedule in the admin (holidays and make-up "
                            "workdays), or upgrade chinesecalendar and run `chuangcheng holidays --sync`."
                        )
                        % {"year": year}
                    )
                )
