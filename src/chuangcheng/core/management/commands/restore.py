from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangcheng.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `chuangcheng backup` into an empty installation (a new database and an "
        "empty data directory); the archive is checked first. See docs/guide/backup.md."
    )
    # The database may not have its tables yet: restore runs migrate itself.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The archive (FILE.tar).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore_backup(options["archive"], progress=lambda line: print(line, file=sys.stderr, flush=True))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
