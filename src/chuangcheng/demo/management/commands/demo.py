from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Create the data directory, migrate, build the demo subdistrict and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Build the demo and exit.")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=None,
                            help="Worker processes serving it (default: one per core, as `serve`).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed builds the same subdistrict.")
        parser.add_argument("--password", help="One known password for every demo account (for scripts).")
        parser.add_argument("--today", type=_iso_date, metavar="YYYY-MM-DD",
                            help="Build the history as if today were this date (the same seed and date "
                                 "always give the same subdistrict).")

    def handle(self, *args: Any, **options: Any) -> None:
        from chuangcheng.demo.generator import build_demo

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(_("Data directory: %(dir)s") % {"dir": settings.DATA_DIR})
        call_command("migrate", interactive=False, verbosity=0)
        result = build_demo(seed=options["seed"], password=options["password"], progress=self._progress,
                            today=options.get("today"))
        self.stdout.write("")
        if result.created:
            ready = _("The demo subdistrict %(name)s is ready.") % {"name": result.street_name}
            self.stdout.write(self.style.SUCCESS(ready))
            self.stdout.write(_("Demo accounts (password: %(password)s):") % {"password": result.password})
        else:
            self.stdout.write(_("The demo subdistrict %(name)s already exists; nothing was changed.")
                              % {"name": result.street_name})
            if options["password"]:
                self.stdout.write(_("Demo accounts (password: %(password)s):") % {"password": result.password})
            else:
                self.stdout.write(_("Demo accounts (password as printed when the demo was built, or run "
                                    "again with --password):"))
        for username, role in result.accounts:
            self.stdout.write(f"  {username:<22} {role}")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"], workers=options["workers"],
                         no_migrate=True)

    def _progress(self, label: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        stream = sys.stdout
        end = "\n" if done >= total else ""
        stream.write(f"\r{label:<24} [{bar}] {done}/{total}{end}")
        stream.flush()


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2027-02-01.") % {"value": text}
        ) from None
