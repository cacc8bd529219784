from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from chuangcheng.cases import services


class Command(BaseCommand):
    help = ("Warn units about cases due soon and escalate overdue ones (for cron; Celery beat and "
            "`chuangcheng serve` do this every few minutes). Running it twice changes nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = services.sweep_deadlines()
        self.stdout.write(_("%(warned)d cases warned, %(escalated)d escalated.")
                          % {"warned": result.warned, "escalated": result.escalated})
