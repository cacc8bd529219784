from __future__ import annotations

import json
from decimal import Decimal
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
            "publish it and write it as an Excel workbook. A published ranking is shown as published. "
            "--format json prints each community's field, work and participation parts and its total.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", required=True, help=_("the ISO week, e.g. 2026-W48"))
        parser.add_argument("--region", "--street", dest="region",
                            help=_("the subdistrict's code (default: every subdistrict)"))
        parser.add_argument("--format", choices=["text", "json"], default="text",
                            help=_("text (default) or json: each community's parts and total"))
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
        as_json = options["format"] == "json"
        printed: list[dict[str, Any]] = []
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
            if as_json:
                printed.append(as_data(ranking))
            else:
                self._print(ranking)
            if output is not None:
                output.write_bytes(ranking_workbook(ranking))
                if not as_json:
                    self.stdout.write(_("Written to %(path)s") % {"path": output})
        if as_json:
            self.stdout.write(json.dumps({"week": rankings.week_label(monday), "rankings": printed},
                                         ensure_ascii=False, indent=2))

    def _print(self, ranking: Any) -> None:
        status = _("published") if ranking.status == "published" else _("draft")
        self.stdout.write(f"{ranking.street.name} ({ranking.street.code}) {ranking.week} [{status}]")
        for row in ranking.content.get("rows", []):
            rank = str(row["rank"]) if row["rank"] else "-"
            total = f"{row['total']:.2f}" if row["total"] is not None else "-"
            self.stdout.write(f"  {rank:>3} {row['name']} {total} {level_label(row['level'])} {change_label(row)}"
                              + ("" if row["ranked"] else "  " + _("(not ranked: too few inspections)")))


def _points(value: Any) -> float | None:
    return None if value is None else float(Decimal(str(value)).quantize(Decimal("0.01")))


def as_data(ranking: Any) -> dict[str, Any]:
    """A ranking as `--format json` prints it: per community the field, work (cases) and participation
    parts and the total (field + work + participation), with the rank; and the spread of the field
    part among the ranked communities, as points and as a share of the field weight."""
    rows = []
    for row in ranking.content.get("rows", []):
        participation = (row.get("parts", {}).get("participation") or {}).get("points") or 0.0
        rows.append({
            "code": row["code"], "name": row["name"], "rank": row["rank"], "ranked": row["ranked"],
            "reason": row["reason"], "field": row["field"],
            "work": _points(Decimal(str(row["work"])) - Decimal(str(participation))),
            "participation": _points(participation), "total": row["total"], "level": row["level"],
            "field_inspections": (row.get("parts", {}).get("field") or {}).get("inspections"),
        })
    fields = [r["field"] for r in rows if r["ranked"] and r["field"] is not None]
    weight = ranking.formula.get("field_weight") or 0
    spread = _points(max(fields) - min(fields)) if fields else None
    return {
        "street": ranking.street.code, "name": ranking.street.name, "week": ranking.week,
        "status": ranking.status, "field_weight": weight,
        "field_checks": "independent" if ranking.formula.get("independent_only", False) else "all",
        "field_spread": spread,
        "field_spread_share": round(spread * 100 / weight, 2) if spread is not None and weight else None,
        "rows": rows,
    }
