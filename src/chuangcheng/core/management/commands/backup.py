from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangcheng.core.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Write one archive with the database, the stored files (photos) and the secret key, read from one "
        "consistent snapshot while the app keeps serving. See docs/guide/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, type=Path, help="The archive to write (FILE.tar).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            make_backup(options["output"], progress=lambda line: print(line, file=sys.stderr, flush=True))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
