"""`chuangcheng mock_assessment draw --street CODE --seed N [--json]` prints the sample a round would
draw, without saving anything; `chuangcheng mock_assessment report ROUND --format docx|json -o FILE`
writes a finished round's frozen report. ROUND is the round's number (第 N 轮) in its street; name
the street with --street when several streets have a round with that number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chuangcheng.assessment.docx import render_docx, stored_photo
from chuangcheng.assessment.draw import draw_sample
from chuangcheng.assessment.models import Round, State
from chuangcheng.org.models import Region
from chuangcheng.standards.queries import version_in_force

# A request the data refuses (too few points, no such round): exit status 2, as for bad usage.
REFUSED = 2


class Command(BaseCommand):
    help = ("Mock assessment (模拟测评): print the sample a round would draw for a seed (nothing is saved), "
            "or write a finished round's report.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        draw = sub.add_parser("draw", help=_("print the drawn sample without saving it"))
        draw.add_argument("--street", required=True, help=_("the subdistrict's code"))
        draw.add_argument("--seed", required=True, help=_("the seed (a whole number)"))
        draw.add_argument("--json", action="store_true", help=_("print JSON instead of text"))
        report = sub.add_parser("report", help=_("write a finished round's report"))
        report.add_argument("round", help=_("the round's number in its subdistrict (第 N 轮)"))
        report.add_argument("--street", help=_("the subdistrict's code, when several have a round with that number"))
        report.add_argument("--format", choices=["docx", "json"], required=True)
        report.add_argument("-o", "--output", required=True, help=_("the file to write"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "draw":
            self._draw(options)
        else:
            self._report(options)

    def _draw(self, options: dict[str, Any]) -> None:
        street = Region.objects.filter(code=options["street"], level=Region.Level.STREET).first()
        if street is None:
            raise CommandError(_("No subdistrict has the code %(code)s.") % {"code": options["street"]},
                               returncode=REFUSED)
        catalog = version_in_force()
        if catalog is None:
            raise CommandError(_("No catalog version is in force."), returncode=REFUSED)
        try:
            draw = draw_sample(street, seed=options["seed"], catalog=catalog)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=REFUSED) from exc
        if options["json"]:
            self.stdout.write(json.dumps(draw.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(_("%(street)s (%(code)s), seed %(seed)s, catalog version %(catalog)s: %(n)s points")
                          % {"street": street.name, "code": street.code, "seed": draw.seed,
                             "catalog": catalog.number, "n": len(draw.points)})
        position = 0
        for drawn in draw.types:
            if not drawn.available:
                self.stdout.write(_("%(type)s: sample %(sample)d, no point of this type in the subdistrict") % {
                    "type": drawn.point_type.name, "sample": drawn.sample_size})
                continue
            self.stdout.write(_("%(type)s: sample %(sample)d of %(count)d") % {
                "type": drawn.point_type.name, "sample": drawn.sample_size, "count": drawn.available})
            for point in drawn.points:
                position += 1
                community = point.grid.parent.name if point.grid.parent else ""
                self.stdout.write(f"  {position:>3}. {point.code} {point.name} ({community} {point.grid.name})")

    def _report(self, options: dict[str, Any]) -> None:
        number = str(options["round"]).strip()
        if not number.isdigit():
            raise CommandError(_("ROUND is the round's number, e.g. 3."), returncode=REFUSED)
        rounds = Round.objects.filter(number=int(number)).select_related("street")
        if options["street"]:
            rounds = rounds.filter(street__code=options["street"])
        found = list(rounds[:2])
        if not found:
            raise CommandError(_("No round has the number %(n)s.") % {"n": number}, returncode=REFUSED)
        if len(found) > 1:
            raise CommandError(_("Several subdistricts have a round %(n)s: name one with --street.") % {"n": number},
                               returncode=REFUSED)
        round = found[0]  # noqa: A001
        if round.state != State.FINISHED:
            raise CommandError(_("Round %(n)s is not finished: it has no report yet.") % {"n": number},
                               returncode=REFUSED)
        output = Path(options["output"])
        if options["format"] == "json":
            output.write_text(json.dumps(round.report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        else:
            output.write_bytes(render_docx(round.report, photo=stored_photo))
        self.stdout.write(_("Written to %(path)s") % {"path": output})
