"""The lock `migrate` holds while it runs (core/management/commands/migrate.py).

PostgreSQL: a session advisory lock on a fixed key, taken on a connection of its own (so nothing
migrate does to its connection can drop it, and it ends with that session if the process dies),
waiting without the statement timeout. SQLite: an exclusive lock on a file beside the database
file, released by the system when the process ends; an in-memory database needs none."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

logger = logging.getLogger(__name__)

# pg_advisory_lock's key: any fixed 64-bit number, the same in every process ("chuangch" in ASCII).
ADVISORY_KEY = 0x6368_7561_6E67_6368


@contextmanager
def migration_lock(alias: str = "default") -> Iterator[None]:
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with _advisory_lock(alias):
            yield
    elif connection.vendor == "sqlite" and not _in_memory(str(connection.settings_dict["NAME"])):
        with _file_lock(Path(f"{connection.settings_dict['NAME']}.migrate-lock")):
            yield
    else:
        yield


def _in_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


@contextmanager
def _advisory_lock(alias: str) -> Iterator[None]:
    own = connections[alias].copy()
    try:
        with own.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
            if not cursor.fetchone()[0]:
                logger.warning("another migrate is running on this database: waiting for it")
                cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
        try:
            yield  # migrate lifts the statement timeout on its own connection (core.apps)
        finally:
            with own.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
    finally:
        own.close()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's own locking (and its busy timeout) is all there is
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning("another migrate is running on this database: waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
