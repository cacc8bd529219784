from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from chuangcheng.notify import services


class Command(BaseCommand):
    help = "Deliver the notifications that are due (for cron; Celery beat does this every minute)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="Deliver at most this many messages.")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.deliver_pending(limit=options["limit"])
        self.stdout.write(_("%(count)d notifications sent.") % {"count": sent})
