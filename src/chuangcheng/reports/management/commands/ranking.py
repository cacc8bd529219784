from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chuangcheng.org.models import Region
from chuangcheng.reports.models import Ranking
from chuangcheng.reports.rankings_xlsx import change_label, level_label, ranking_workbook
from chuangcheng.reports.services import rankings


class Command(BaseCommand):
    help = ("Compute the weekly ranking (周排名) of every subdistrict, or of one, print it, and optionally "
            "publish it and write it as an Excel workbook. A published ranking is shown as published.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", required=True, help=_("the ISO week, e.g. 2026-W48"))
        parser.add_argument("--region", help=_("the subdistrict's code (default: every subdistrict)"))
        parser.add_argument("--publish", action="store_true", help=_("publish the ranking after computing it"))
        parser.add_argument("-o", "--output", help=_("write the ranking to this .xlsx file"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            monday = rankings.parse_week(options["week"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        streets = Region.objects.filter(level=Region.Level.STREET)
        if options["region"]:
            streets = streets.filter(code=options["region"])
            if not streets.exists():
                raise CommandError(_("No subdistrict has the code %(code)s.") % {"code": options["region"]})
        output = Path(options["output"]) if options["output"] else None
        if output is not None and streets.count() > 1:
            raise CommandError(_("Name one subdistrict with --region to write a workbook."))
        for street in streets:
            try:
                ranking = Ranking.objects.filter(street=street, week_start=monday, status="published").first()
                if ranking is None:
                    ranking = rankings.compute_ranking(street, monday)
                if options["publish"] and ranking.status != "published":
                    ranking = rankings.publish_ranking(ranking, by=None)
            except (rankings.RankingError, PermissionDenied) as exc:
                raise CommandError(str(exc)) from exc
            self._print(ranking)
            if output is not None:
                output.write_bytes(ranking_workbook(ranking))
                self.stdout.write(_("Written to %(path)s") % {"path": output})

    def _print(self, ranking: Any) -> None:
        status = _("published") if ranking.status == "published" else _("draft")
        self.stdout.write(f"{ranking.street.name} ({ranking.street.code}) {ranking.week} [{status}]")
        for row in ranking.content.get("rows", []):
            rank = str(row["rank"]) if row["rank"] else "-"
            total = f"{row['total']:.2f}" if row["total"] is not None else "-"
            self.stdout.write(f"  {rank:>3} {row['name']} {total} {level_label(row['level'])} {change_label(row)}"
                              + ("" if row["ranked"] else "  " + _("(not ranked: too few inspections)")))
