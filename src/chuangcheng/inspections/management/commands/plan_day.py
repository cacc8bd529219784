from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chuangcheng.core import clock
from chuangcheng.inspections.services import plans
from chuangcheng.org.models import Region
from chuangcheng.places.models import Point


class Command(BaseCommand):
    help = ("Make the daily plan (日调度) of every subdistrict, or of one, and print it per person. "
            "A plan that exists is shown as it is unless --replace (visits changed by hand stay).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help=_("the day, YYYY-MM-DD (default: today)"))
        parser.add_argument("--street", help=_("the subdistrict's code (default: every subdistrict)"))
        parser.add_argument("--replace", action="store_true", help=_("plan again, keeping hand changes"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else clock.today()
        except ValueError as exc:
            raise CommandError(_("Give the date as YYYY-MM-DD.")) from exc
        streets = Region.objects.filter(level=Region.Level.STREET)
        if options["street"]:
            streets = streets.filter(code=options["street"])
            if not streets.exists():
                raise CommandError(_("No subdistrict has the code %(code)s.") % {"code": options["street"]})
        else:  # every subdistrict that has points to visit
            busy = [s.pk for s in streets if Point.objects.within(s).filter(active=True).exists()]
            streets = streets.filter(pk__in=busy)
        for street in streets:
            plan = plans.make_plan(street, day, replace=options["replace"])
            self.stdout.write(f"{street.name} ({street.code}) {day.isoformat()}")
            visits = plan.assignments.select_related("person", "point").order_by("person__username", "position")
            person = None
            for visit in visits:
                if visit.person_id != person:
                    person = visit.person_id
                    self.stdout.write(f"  {visit.person.display_name} ({visit.person.username})")
                self.stdout.write(f"    {visit.position:>2}. {visit.point.code} {visit.point.name} "
                                  f"[{visit.get_reason_display()}]")
            for point, reason in getattr(plan, "leftover", []):
                self.stdout.write(_("  not placed: %(code)s %(name)s (%(reason)s)")
                                  % {"code": point.code, "name": point.name, "reason": reason})
