"""Django's `migrate`, one at a time: a second `migrate` started while one runs (two app servers
starting together on an empty database, or a deploy step beside them) waits for it and then finds
nothing left to do, instead of crashing half-way on "table already exists"."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate

from chuangcheng.core.migration_lock import migration_lock


class Command(migrate.Command):
    help = migrate.Command.help + " Waits while another migrate runs on the same database."

    def handle(self, *args: Any, **options: Any) -> None:
        with migration_lock(options["database"]):
            super().handle(*args, **options)
