from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Serve Chuangcheng with a production WSGI server (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply pending migrations first.")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from chuangcheng.wsgi import application

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        host, port = options["host"], options["port"]
        self.stdout.write(_("Chuangcheng is serving on http://%(host)s:%(port)d/ (Ctrl+C stops it).")
                          % {"host": host, "port": port})
        serve(application, host=host, port=port, threads=options["threads"], ident="chuangcheng")
