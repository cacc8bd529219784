"""`chuangcheng problems import --template -o FILE.xlsx [--street CODE]`,
`chuangcheng problems import FILE.xlsx [--photos DIR.zip] --street CODE --issuer NAME --deadline D
[--reference R] [--kind K] [--issued D] [--dry-run] [--user USERNAME]`,
`chuangcheng problems list [--street CODE]` and
`chuangcheng problems report LIST --format docx|xlsx -o FILE` (LIST: the list's code or reference) and
`chuangcheng problems example -o DIR` (the filled example shipped in docs/examples/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext as _

from chuangcheng.core import clock
from chuangcheng.core.workflow import SYSTEM, Actor
from chuangcheng.org.models import Region, User
from chuangcheng.problems import importing, queries, report, services
from chuangcheng.problems.example import write_example
from chuangcheng.problems.models import Kind, ProblemList
from chuangcheng.problems.sheet import build_template

KIND_NAMES = {"督查": Kind.SUPERVISION, "暗访": Kind.COVERT, "测评反馈": Kind.ASSESSMENT,
              **{k: k for k in Kind.values}}


class Command(BaseCommand):
    help = "Problem lists from above: write the template, import a list, list the lists, write a 销号 report."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        imp = commands.add_parser("import", help="Import a list from Excel, or write the template.")
        imp.add_argument("file", nargs="?", help="The filled .xlsx file.")
        imp.add_argument("--template", action="store_true", help="Write the template instead of importing.")
        imp.add_argument("-o", "--output", help="Where to write the template.")
        imp.add_argument("--photos", help="A .zip of the photos the rows name.")
        imp.add_argument("--street", help="The subdistrict's code (needed when there is more than one).")
        imp.add_argument("--issuer", help="Who issued the list, e.g. 区创城办.")
        imp.add_argument("--deadline", help="Rectify by (YYYY-MM-DD).")
        imp.add_argument("--reference", help="The list's reference number; default: the file's name.")
        imp.add_argument("--kind", default="督查", choices=sorted(KIND_NAMES), help="督查, 暗访 or 测评反馈.")
        imp.add_argument("--issued", help="Issued on (YYYY-MM-DD); default: today.")
        imp.add_argument("--note", default="")
        imp.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        imp.add_argument("--user", help="Import as this login; default: the system.")
        listing = commands.add_parser("list", help="The lists with their progress.")
        listing.add_argument("--street", help="Only this subdistrict's lists.")
        rep = commands.add_parser("report", help="Write a list's 销号 report.")
        rep.add_argument("list", help="The list's code or reference number.")
        rep.add_argument("--format", choices=["docx", "xlsx"], default="docx")
        rep.add_argument("-o", "--output", required=True)
        ex = commands.add_parser("example", help="Write the filled example workbook and its photos.")
        ex.add_argument("-o", "--output", default="docs/examples", help="The folder to write them to.")

    def handle(self, *args: Any, **options: Any) -> None:
        {"import": self._import, "list": self._list, "report": self._report,
         "example": self._example}[options["command"]](options)

    def _street(self, code: str | None) -> Region:
        streets = Region.objects.filter(level=Region.Level.STREET)
        if code:
            street = streets.filter(code=code).first()
            if street is None:
                raise CommandError(_("There is no subdistrict with the code %(code)s.") % {"code": code})
            return street
        if streets.count() != 1:
            raise CommandError(_("Name the subdistrict with --street CODE."))
        return streets.get()

    def _import(self, options: dict[str, Any]) -> None:
        if options["template"]:
            street = self._street(options["street"]) if options["street"] else None
            output = options["output"] or options["file"] or "problem-list.xlsx"
            Path(output).write_bytes(build_template(street))
            self.stdout.write(_("Template written to %(path)s.") % {"path": output})
            return
        if not options["file"]:
            raise CommandError(_("Name the .xlsx file to import, or use --template -o FILE.xlsx."))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        photos = Path(options["photos"]) if options["photos"] else None
        if photos is not None and not photos.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": photos})
        if not options["issuer"] or not options["deadline"]:
            raise CommandError(_("Say who issued the list (--issuer) and by when (--deadline YYYY-MM-DD)."))
        deadline = importing.parse_date(options["deadline"])
        issued = importing.parse_date(options["issued"]) if options["issued"] else clock.today()
        if deadline is None or issued is None:
            raise CommandError(_("Write dates as YYYY-MM-DD."))
        by: Actor = SYSTEM
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).select_related("scope").first()
            if user is None:
                raise CommandError(_("There is no active login %(username)s.") % {"username": options["user"]})
            by = user
        header = services.ListHeader(
            street=self._street(options["street"]), reference=options["reference"] or path.stem,
            issuer=options["issuer"], kind=KIND_NAMES[options["kind"]], issued_on=issued, deadline=deadline,
            note=options["note"])
        try:
            result = importing.import_problem_list(
                path.read_bytes(), header, by=by, photos_zip=photos.read_bytes() if photos else None,
                dry_run=options["dry_run"])
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Nothing was imported: %(n)s errors in the file.") % {"n": len(result.errors)})
        if result.problem_list is None:
            self.stdout.write(self.style.SUCCESS(
                _("The list is correct: %(n)d problems. Nothing was written (--dry-run).")
                % {"n": len(result.problems)}))
            return
        self.stdout.write(self.style.SUCCESS(
            _("Imported the list %(reference)s (%(code)s): %(n)d problems, each now a case.") % {
                "reference": result.problem_list.reference, "code": result.problem_list.code,
                "n": len(result.problems)}))

    def _list(self, options: dict[str, Any]) -> None:
        lists = ProblemList.objects.select_related("street")
        if options["street"]:
            lists = lists.filter(street=self._street(options["street"]))
        batches = list(lists)
        progress = queries.progress_by_list(batches)
        if not batches:
            self.stdout.write(_("No problem list has been entered yet."))
        for batch in batches:
            p = progress[batch.pk]
            self.stdout.write(_("%(code)s  %(reference)s  %(issuer)s  %(street)s  due %(deadline)s  "
                                "rectified %(done)d/%(total)d  overdue %(overdue)d") % {
                "code": batch.code, "reference": batch.reference, "issuer": batch.issuer,
                "street": batch.street.name, "deadline": f"{batch.deadline:%Y-%m-%d}", "done": p.done,
                "total": p.total, "overdue": p.overdue})

    def _report(self, options: dict[str, Any]) -> None:
        matches = list(ProblemList.objects.select_related("street")
                       .filter(Q(code=options["list"]) | Q(reference=options["list"]))[:2])
        if len(matches) != 1:
            raise CommandError(_("No single problem list has the code or reference %(value)s.")
                               % {"value": options["list"]})
        batch = matches[0]
        build = report.build_docx if options["format"] == "docx" else report.build_xlsx
        Path(options["output"]).write_bytes(build(batch))
        self.stdout.write(_("Report written to %(path)s.") % {"path": options["output"]})

    def _example(self, options: dict[str, Any]) -> None:
        for path in write_example(Path(options["output"])):
            self.stdout.write(_("Example written to %(path)s.") % {"path": path})
