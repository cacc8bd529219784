from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chuangcheng.core import gongwen
from chuangcheng.org.models import Region
from chuangcheng.reports.models import Ranking
from chuangcheng.reports.ranking_docx import render_ranking_docx
from chuangcheng.reports.rankings_xlsx import change_label, level_label, ranking_workbook
from chuangcheng.reports.services import rankings


class Command(BaseCommand):
    help = ("Compute the weekly ranking (周排名) of every subdistrict, or of one, print it, and optionally "
            "publish it and write it to a file. A published ranking is shown as published. "
            "--format json prints each community's field, work and participation parts and its total; "
            "--format docx -o F writes the ranking 通报 (Word) to F; with text or json, -o F writes the "
            "Excel workbook to F.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", required=True, help=_("the ISO week, e.g. 2026-W48"))
        parser.add_argument("--region", "--street", dest="region",
                            help=_("the subdistrict's code (default: every subdistrict)"))
        parser.add_argument("--format", choices=["text", "json", "docx"], default="text",
                            help=_("text (default), json (each community's parts and total) or docx (the ranking "
                                   "通报 as a Word document, written to -o)"))
        parser.add_argument("--publish", action="store_true", help=_("publish the ranking after computing it"))
        parser.add_argument("-o", "--output", help=_("with --format docx: write the 通报 (.docx) to this file; "
                                                     "otherwise write the Excel workbook (.xlsx) to it"))

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
        as_docx = options["format"] == "docx"
        printed: list[dict[str, Any]] = []
        output = Path(options["output"]) if options["output"] else None
        if as_docx and output is None:
            raise CommandError(_("Give the file to write the 通报 to with -o, e.g. -o ranking.docx."))
        if output is not None and streets.count() > 1:
            raise CommandError(_("Name one subdistrict with --region to write a file."))
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
                output.write_bytes(render_ranking_docx(ranking) if as_docx else ranking_workbook(ranking))
                if not as_json:
                    self.stdout.write(_("Written to %(path)s") % {"path": output})
        if as_json:
            self.stdout.write(json.dumps({"week": rankings.week_label(monday), "week_label": gongwen.week_label(monday),
                                          "rankings": printed},
                                         ensure_ascii=False, indent=2))

    def _print(self, ranking: Any) -> None:
        status = pgettext("status", "published") if ranking.status == "published" else pgettext("status", "draft")
        self.stdout.write(f"{ranking.street.name} ({ranking.street.code}) {ranking.week_title} [{status}]")
        for row in ranking.content.get("rows", []):
            rank = str(row["rank"]) if row["rank"] else "-"
            total = f"{row['total']:.2f}" if row["total"] is not None else "-"
            self.stdout.write(f"  {rank:>3} {row['name']} {total} {level_label(row['level'])} {change_label(row)}"
                              + ("" if row["ranked"] else "  " + _("(not ranked: too few inspections)")))
        units = ranking.content.get("units") or []
        if units:
            self.stdout.write("  " + _("Responsible units (by on-time handling rate):"))
        for unit in units:
            rate = f"{unit['on_time_rate'] * 100:.1f}%" if unit.get("on_time_rate") is not None else "-"
            self.stdout.write(f"  {unit['rank']:>3} {unit['name']} {rate} "
                              + _("overdue %(n)s") % {"n": unit["overdue"]} + f" {change_label(unit)}")


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
        "week_label": ranking.week_title, "status": ranking.status, "field_weight": weight,
        "field_checks": "independent" if ranking.formula.get("independent_only", False) else "all",
        "field_spread": spread,
        "field_spread_share": round(spread * 100 / weight, 2) if spread is not None and weight else None,
        "rows": rows, "units": ranking.content.get("units", []),
    }
