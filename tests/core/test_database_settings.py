"""The database settings that keep a request from hanging: PostgreSQL's connect and statement
timeouts and keepalives, persistent connections checked before reuse, each overridable by an
environment variable; a statement cut by the timeout is answered as "briefly unavailable"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from chuangcheng.core import faults
from chuangcheng.core.apps import lift_statement_timeout, restore_statement_timeout

PRINT_DATABASE = ("import json, chuangcheng.settings as s; d = s.DATABASES['default']; "
                  "print(json.dumps({'options': d.get('OPTIONS', {}), 'max_age': d['CONN_MAX_AGE'], "
                  "'checks': d['CONN_HEALTH_CHECKS']}))")


def database_settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("DB_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))}
    environment.update(CHUANGCHENG_HOME=str(tmp_path), **env)
    output = subprocess.run([sys.executable, "-c", PRINT_DATABASE], env=environment,  # noqa: S603
                            capture_output=True, text=True, check=True).stdout
    return dict(json.loads(output))


def test_postgresql_gets_timeouts_keepalives_and_checked_persistent_connections(tmp_path: Path) -> None:
    found = database_settings(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    assert found["options"]["connect_timeout"] == 5
    assert found["options"]["options"] == "-c statement_timeout=30000"
    assert found["options"]["keepalives"] == 1 and found["options"]["tcp_user_timeout"] == 15000
    assert found["max_age"] == 60 and found["checks"] is True


def test_the_environment_overrides_them(tmp_path: Path) -> None:
    found = database_settings(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", DB_CONNECT_TIMEOUT="2",
                              DB_STATEMENT_TIMEOUT_MS="0", DB_KEEPALIVE_SECONDS="0", DB_CONN_MAX_AGE="0")
    assert found["options"] == {"connect_timeout": 2}
    assert found["max_age"] == 0


def test_sqlite_keeps_its_busy_timeout_and_its_connections_between_requests(tmp_path: Path) -> None:
    found = database_settings(tmp_path)
    assert found["options"]["timeout"] == 20
    assert found["max_age"] == 600 and found["checks"] is True


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own timeouts")


@postgresql_only
@pytest.mark.django_db
def test_a_statement_past_the_timeout_is_cut_and_counts_as_briefly_unavailable() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
    with pytest.raises(DatabaseError) as cut, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")
    assert faults.is_database_unavailable(cut.value)


@postgresql_only
@pytest.mark.django_db
def test_migrations_run_without_the_statement_timeout_and_it_comes_back_after() -> None:
    lift_statement_timeout(using="default")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    restore_statement_timeout(using="default")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
