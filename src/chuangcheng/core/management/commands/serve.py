from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from chuangcheng.core.staticfiles import ensure_collected


def start_scheduler(interval: float = 60.0) -> threading.Thread:
    def loop() -> None:
        from django.db import close_old_connections

        from chuangcheng.core.jobs import run_periodic_jobs

        while True:
            time.sleep(interval)
            try:
                run_periodic_jobs()
            except Exception:  # a failing job must not stop the web server
                logger.exception("periodic jobs failed")
            finally:
                close_old_connections()

    thread = threading.Thread(target=loop, name="chuangcheng-scheduler", daemon=True)
    thread.start()
    return thread


logger = logging.getLogger(__name__)


def waitress_proxy_options() -> dict[str, Any]:
    """Behind a proxy, waitress hands the X-Forwarded-* headers on untouched: our own filter
    (chuangcheng.core.proxy.TrustedProxies, around the application) believes them from the
    configured TRUSTED_PROXIES only, which may be several addresses or ranges, and drops them from
    anyone else. Waitress's own filter trusts a single address, and without a proxy it keeps
    clearing the headers as it does by default."""
    if settings.BEHIND_PROXY:
        return {"clear_untrusted_proxy_headers": False}
    return {}


class Command(BaseCommand):
    help = "Serve Chuangcheng with a production WSGI server (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply pending migrations first.")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from chuangcheng.wsgi import build_application

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        # Compressed static files with hashed names, collected once per installed version.
        ensure_collected(say=self.stdout.write)
        host, port = options["host"], options["port"]
        if not settings.REDIS_URL:
            # The embedded default has no Celery beat: a small in-process scheduler runs the
            # periodic jobs (idempotent, so a cron job or a second process doing the same is harmless).
            start_scheduler()
        self.stdout.write(_("Chuangcheng is serving on http://%(host)s:%(port)d/ (Ctrl+C stops it).")
                          % {"host": host, "port": port})
        serve(build_application(), host=host, port=port, threads=options["threads"], ident="chuangcheng",
              **waitress_proxy_options())
