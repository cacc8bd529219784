"""The `chuangcheng` command: our own commands (demo, serve, createadmin, import, …) and every
Django command, all with the project's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["chuangcheng", *(args or ["help"])])


if __name__ == "__main__":
    main()
