"""`chuangcheng import KIND FILE.xlsx [--dry-run] [--user USERNAME]` and
`chuangcheng import KIND --template -o FILE.xlsx`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chuangcheng import imports
from chuangcheng.org.models import User


class Command(BaseCommand):
    help = "Import regions, units, people or points from an Excel file, or write the Excel template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=imports.KINDS, help="What the file holds.")
        parser.add_argument("file", nargs="?", help="The .xlsx file to import.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        parser.add_argument("--user", help="Import as this login (its scope applies); default: the system.")
        parser.add_argument("--template", action="store_true", help="Write the template instead of importing.")
        parser.add_argument("-o", "--output", help="Where to write the template.")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if options["template"]:
            output = options["output"] or options["file"] or imports.TEMPLATE_FILE_NAMES[kind]
            Path(output).write_bytes(imports.build_template(kind))
            self.stdout.write(_("Template written to %(path)s.") % {"path": output})
            return
        if not options["file"]:
            raise CommandError(_("Name the .xlsx file to import, or use --template -o FILE.xlsx."))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        by = None
        if options["user"]:
            by = User.objects.filter(username=options["user"], is_active=True).select_related("scope").first()
            if by is None:
                raise CommandError(_("There is no active login %(username)s.") % {"username": options["user"]})
        try:
            result = imports.run_import(kind, path.read_bytes(), by=by, progress=self._progress,
                                        dry_run=options["dry_run"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self._report(result)

    def _progress(self, label: str, done: int, total: int) -> None:
        if total:
            self.stdout.write(f"{label}: {done}/{total}")
        else:
            self.stdout.write(f"{label}: {done}")

    def _report(self, result: imports.ImportResult) -> None:
        if result.errors:
            for error in result.errors:
                where = _("row %(row)s") % {"row": error.row} if error.row else _("file")
                column = f" [{error.column}]" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.message}")
            raise CommandError(
                _("Nothing was imported: %(n)s errors in the file.") % {"n": len(result.errors)}
            )
        counts = {"rows": result.rows, "created": result.created, "updated": result.updated,
                  "unchanged": result.unchanged}
        if result.dry_run:
            self.stdout.write(self.style.SUCCESS(
                _("The file is correct (%(rows)s rows). Nothing was written; importing it would create "
                  "%(created)s, change %(updated)s and leave %(unchanged)s unchanged.") % counts))
        else:
            self.stdout.write(self.style.SUCCESS(
                _("Imported %(rows)s rows: %(created)s created, %(updated)s changed, %(unchanged)s unchanged.")
                % counts))
