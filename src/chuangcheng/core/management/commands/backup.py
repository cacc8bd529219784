from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chuangcheng.core.backup import BackupError, make_backup, parse_s3_url, upload_to_s3


class Command(BaseCommand):
    help = (
        "Write one archive with the database, the stored files (photos) and the secret key, read from one "
        "consistent snapshot while the app keeps serving. See docs/guide/backup.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, type=Path, help="The archive to write (FILE.tar).")
        parser.add_argument("--s3", metavar="s3://BUCKET/PREFIX",
                            help="Also copy the archive to this bucket (endpoint and keys as for photos: S3_*).")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

        try:
            if options["s3"]:
                parse_s3_url(options["s3"])
            make_backup(options["output"], progress=progress)
            if options["s3"]:
                upload_to_s3(options["output"], options["s3"], os.environ, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
