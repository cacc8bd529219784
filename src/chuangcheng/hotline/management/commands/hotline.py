"""`chuangcheng hotline pull|push|import FILE|export -o FILE`: the exchange with the 12345 hotline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangcheng.hotline import exchange
from chuangcheng.hotline.models import WorkOrder
from chuangcheng.org.models import Region


class Command(BaseCommand):
    help = "Exchange 12345 work orders: pull and push through the interface, import or export Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["pull", "push", "import", "export"])
        parser.add_argument("file", nargs="?", help="the workbook to import")
        parser.add_argument("-o", "--output", help="where export writes the workbook")
        parser.add_argument("--street", help="the subdistrict's code (default HOTLINE_STREET, or the only one)")
        parser.add_argument("--dry-run", action="store_true", help="import: check every row, write nothing")

    def _street(self, code: str | None) -> Region:
        street = (Region.objects.filter(level=Region.Level.STREET, code=code).first() if code
                  else exchange.configured_street())
        if street is None:
            raise CommandError("Name the subdistrict with --street CODE.")
        return street

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what in ("pull", "push") and exchange.configured_adapter() is None:
            raise CommandError("HOTLINE_URL is not set: the hotline's interface is not configured.")
        if what == "pull":
            pulled = exchange.pull_orders(street=self._street(options["street"]))
            if pulled.failed:
                raise CommandError("The hotline could not be reached; see the exchange log. Nothing was lost.")
            self.stdout.write(f"created {pulled.created}, updated {pulled.updated}, unchanged {pulled.unchanged}, "
                              f"refused {pulled.refused}")
        elif what == "push":
            pushed = exchange.push_pending()
            self.stdout.write(f"sent {pushed.sent}, waiting {pushed.waiting}, given up {pushed.given_up}")
        elif what == "import":
            if not options["file"]:
                raise CommandError("Give the workbook: chuangcheng hotline import FILE.xlsx")
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            result = exchange.import_workbook(path.read_bytes(), street=self._street(options["street"]),
                                              dry_run=options["dry_run"])
            if not result.ok:
                for row, reason in result.errors:
                    self.stderr.write(f"row {row}: {reason}" if row else reason)
                raise CommandError("Nothing was imported.")
            self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
                              + (" (dry run, nothing written)" if options["dry_run"] else ""))
        else:
            if not options["output"]:
                raise CommandError("Say where to write it: chuangcheng hotline export -o FILE.xlsx")
            street = self._street(options["street"])
            body = exchange.export_workbook(WorkOrder.objects.filter(street=street), street=street, mask=False)
            Path(options["output"]).write_bytes(body)
            self.stdout.write(f"written {options['output']}")
