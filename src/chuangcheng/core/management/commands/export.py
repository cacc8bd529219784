from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuangcheng.core.backup import export_data


class Command(BaseCommand):
    help = (
        "Export all campaign data as JSON Lines, without password hashes, sessions, tokens, keys or other "
        "secrets (the first line names what is left out). See docs/guide/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, type=Path, help="The file to write (FILE.jsonl).")

    def handle(self, *args: Any, **options: Any) -> None:
        export_data(options["output"], progress=lambda line: print(line, file=sys.stderr, flush=True))
