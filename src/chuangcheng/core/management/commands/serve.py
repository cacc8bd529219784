from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from chuangcheng.core import serving
from chuangcheng.core.staticfiles import ensure_collected


def start_scheduler(interval: float = 60.0) -> threading.Thread:
    def loop() -> None:
        from django.db import close_old_connections

        from chuangcheng.core.jobs import run_periodic_jobs

        while True:
            time.sleep(interval)
            try:
                run_periodic_jobs(every=interval)
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
    help = "Serve Chuangcheng with a production WSGI server (waitress), one worker process per core."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=serving.DEFAULT_THREADS,
                            help="Threads per worker process (default: %(default)s).")
        parser.add_argument("--workers", type=int, default=None,
                            help="Worker processes sharing the port (default: one per core; 1: a single "
                                 "process, as where processes cannot be forked).")
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply pending migrations first.")
        parser.add_argument("--worker-header", action="store_true",
                            help="Name the answering worker's process id in an X-Chuangcheng-Worker header.")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from chuangcheng.wsgi import build_application

        host, port = options["host"], options["port"]
        workers = serving.default_workers() if options["workers"] is None else options["workers"]
        if workers < 1:
            raise CommandError(_("--workers must be at least 1."))
        if workers > 1 and not serving.can_fork():
            self.stderr.write(_("This platform cannot fork worker processes: serving with one process."))
            workers = 1
        if workers > 1:
            serving.share_metrics(port)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        # Compressed static files with hashed names, collected once per installed version (before
        # the workers fork, so they share them).
        ensure_collected(say=self.stdout.write)
        app: Callable[..., Any] = build_application()
        if options["worker_header"]:
            app = serving.with_worker_header(app)
        # The embedded default has no Celery beat: a small in-process scheduler runs the periodic
        # jobs (each run claimed through the database, so a second scheduler is harmless).
        scheduler = not settings.REDIS_URL
        message = _("Chuangcheng is serving on http://%(host)s:%(port)d/ (Ctrl+C stops it).") % {
            "host": host, "port": port}
        if workers == 1:
            if scheduler:
                start_scheduler()
            self.stdout.write(message)
            serve(app, host=host, port=port, threads=options["threads"], ident="chuangcheng",
                  **waitress_proxy_options())
            return
        sock = serving.bind(host, port)
        # No connection may cross a fork: each worker opens its own.
        connections.close_all()
        self.stdout.write(message + " " + _("%(workers)d worker processes.") % {"workers": workers})
        self.stdout.flush()

        def serve_child(slot: int) -> None:
            serving.run_child(app=app, sock=sock, threads=options["threads"], scheduler=scheduler and slot == 0,
                              server_options=waitress_proxy_options(), start_scheduler=start_scheduler)

        try:
            serving.Supervisor(serve_child=serve_child, workers=workers).run()
        finally:
            sock.close()
