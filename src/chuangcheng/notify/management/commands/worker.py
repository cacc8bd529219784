from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Run a Celery worker for background jobs (needs REDIS_URL); --beat also runs the schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--beat", action="store_true", help="Also run the scheduler (one worker only).")
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError(_("REDIS_URL is not set: without it background jobs run inside the web process "
                                 "and no worker is needed."))
        from chuangcheng.celery import app

        argv = ["worker", f"--loglevel={options['loglevel']}", f"--concurrency={options['concurrency']}"]
        if options["beat"]:
            argv.append("--beat")
        app.worker_main(argv)
