"""`chuangcheng bulletin`: one day's bulletin of a subdistrict as .docx, HTML or JSON. The published
snapshot when there is one, else the bulletin composed now from the day's figures."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chuangcheng.core import clock
from chuangcheng.org.models import Region
from chuangcheng.reports.bulletin_docx import default_photo_loader, render_docx
from chuangcheng.reports.models import Bulletin, Publication
from chuangcheng.reports.queries.bulletins import compose_bulletin, compose_monthly
from chuangcheng.reports.views.bulletins import article_context

FORMATS = ("docx", "html", "json")


class Command(BaseCommand):
    help = ("Write the daily bulletin (日通报) of a subdistrict for a day, or with --month its monthly bulletin "
            "(月度通报): the published one if it exists, else composed from the figures.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help=_("the day, YYYY-MM-DD (default: today)"))
        parser.add_argument("--month", help=_("the month, YYYY-MM: write the monthly bulletin (月度通报) instead"))
        parser.add_argument("--region", required=True, help=_("the subdistrict's code"))
        parser.add_argument("--format", default="docx", help=_("docx, html or json (default: docx)"))
        parser.add_argument("-o", "--output", help=_("the file to write (default: standard output)"))

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = (options["format"] or "").lower()
        if fmt not in FORMATS:
            raise CommandError(_("Choose the format docx, html or json, not %(format)s.") % {"format": fmt})
        kind = Bulletin.Kind.MONTHLY if options["month"] else Bulletin.Kind.DAILY
        if options["month"] and options["date"]:
            raise CommandError(_("Give either --date or --month, not both."))
        try:
            if options["month"]:
                day = dt.date.fromisoformat(f"{options['month']}-01") if len(options["month"]) == 7 else None
                if day is None:
                    raise ValueError(options["month"])
            else:
                day = dt.date.fromisoformat(options["date"]) if options["date"] else clock.today()
        except ValueError as exc:
            raise CommandError(_("Give the month as YYYY-MM.") if options["month"]
                               else _("Give the date as YYYY-MM-DD.")) from exc
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(_("No region has the code %(code)s.") % {"code": options["region"]})
        if region.level != Region.Level.STREET:
            raise CommandError(_("%(name)s is not a subdistrict: bulletins are made for subdistricts.")
                               % {"name": region.name})
        if day > clock.today():
            raise CommandError(_("A bulletin reports a day that has begun."))
        bulletin = Bulletin.objects.filter(street=region, kind=kind, day=day, status=Publication.PUBLISHED).first()
        if bulletin is not None:
            content, number, remarks = bulletin.content, bulletin.number, bulletin.remarks
        elif kind == Bulletin.Kind.MONTHLY:
            content, number, remarks = compose_monthly(region, day), None, ""
        else:
            content, number, remarks = compose_bulletin(region, day), None, ""
        if fmt == "json":
            data = json.dumps({"number": number, "remarks": remarks, "status": bulletin.status if bulletin else "live",
                               "content": content}, ensure_ascii=False, indent=2).encode("utf-8")
        elif fmt == "html":
            data = standalone_html(content, day=day, number=number, remarks=remarks).encode("utf-8")
        else:
            data = render_docx(content, number=number, remarks=remarks)
        self._write(data, options["output"])

    def _write(self, data: bytes, output: str | None) -> None:
        if not output or output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}) from exc
        self.stderr.write(_("Wrote %(file)s.") % {"file": output})


def standalone_html(content: dict[str, Any], *, day: dt.date, number: int | None, remarks: str) -> str:
    """One self-contained HTML file: the stylesheet inlined, photos as data URIs, no links."""
    page = json.loads(json.dumps(content))
    for row in page.get("typical", []):
        for side in ("before", "after"):
            data = default_photo_loader(int(row[side]["id"]))
            row[side]["src"] = f"data:image/jpeg;base64,{base64.b64encode(data).decode()}" if data else ""
    css_path = finders.find("chuangcheng/bulletin.css")
    css = Path(str(css_path)).read_text(encoding="utf-8") if css_path else ""
    return render_to_string("reports/bulletin_standalone.html", {
        **article_context(page, number=number, remarks=remarks), "css": mark_safe(css),  # noqa: S308 - ours
        "bulletin": {"day": day, "number": number, "remarks": remarks},
    })
