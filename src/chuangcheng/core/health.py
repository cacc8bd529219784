"""What /readyz looks at, in core: the database, the broker and the heartbeats of the background
processes. Each check answers a small dict with `ok`; the page (chuangcheng.web.views.readyz) adds
the outbox and decides the status.

A check never takes long: the database check is bounded by DB_CONNECT_TIMEOUT to connect and
READYZ_TIMEOUT_MS per statement (PostgreSQL), the Redis ping by READYZ_TIMEOUT_MS."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chuangcheng.core import faults

logger = logging.getLogger(__name__)

SCHEDULER = "scheduler"  # serve's in-process scheduler (no REDIS_URL)
BEAT = "beat"  # Celery beat: sent a scheduled job
WORKER = "worker"  # a Celery worker: finished a task

# A process writes its heartbeat at most this often (a busy worker would otherwise write per task).
HEARTBEAT_EVERY_SECONDS = 15.0
_written: dict[str, float] = {}
_written_lock = threading.Lock()


def record_heartbeat(name: str) -> None:
    """Note that the background process `name` is alive. Never raises: a heartbeat that cannot be
    written (the database is down) is simply missing, which is what /readyz should then show."""
    from chuangcheng.core.models import Heartbeat

    now = time.monotonic()
    with _written_lock:
        last = _written.get(name)
        if last is not None and now - last < HEARTBEAT_EVERY_SECONDS:
            return
        _written[name] = now
    try:
        Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
    except DatabaseError as exc:
        with _written_lock:
            _written.pop(name, None)
        faults.log_database_unavailable(exc, f"the {name} heartbeat")


def forget_heartbeat_writes() -> None:
    """Let the next record_heartbeat write at once (tests)."""
    with _written_lock:
        _written.clear()


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                # SET LOCAL, as a function so the value can be a parameter: ends with the transaction.
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(settings.READYZ_TIMEOUT_MS)])
                cursor.execute("SELECT 1")
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    except DatabaseError as exc:
        faults.log_database_unavailable(exc, "/readyz")
        return {"ok": False, "required": True, "error": faults.failure_kind(exc), "ms": _elapsed_ms(started)}
    return {"ok": True, "required": True, "ms": _elapsed_ms(started)}


def check_broker() -> dict[str, Any]:
    """Redis (the Celery broker) answers a PING; not required, and not checked, without one."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return {"ok": True, "required": False, "configured": False}
    if not url.startswith(("redis://", "rediss://")):
        return {"ok": True, "required": True, "configured": True, "checked": False}
    import redis

    timeout = settings.READYZ_TIMEOUT_MS / 1000
    started = time.perf_counter()
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        kind = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
        allowed, held = faults.throttle.allow("broker " + kind)
        if allowed:
            faults.logger.error("broker unavailable in /readyz: %s%s", kind,
                                f" ({held} more since the last report)" if held else "")
        return {"ok": False, "required": True, "configured": True, "error": kind, "ms": _elapsed_ms(started)}
    finally:
        client.close()
    return {"ok": True, "required": True, "configured": True, "ms": _elapsed_ms(started)}


def expected_heartbeats() -> dict[str, int]:
    """The background processes this installation should have, with the age (seconds) past which
    their heartbeat counts as stale: Celery beat and a worker with REDIS_URL, else serve's scheduler."""
    stale = settings.READYZ_HEARTBEAT_STALE_SECONDS
    if settings.REDIS_URL:
        return {BEAT: stale, WORKER: stale}
    return {SCHEDULER: stale}


def check_heartbeats(now: dt.datetime | None = None) -> dict[str, dict[str, Any]]:
    """Not required: a stopped worker does not make an app server unfit for traffic, but it is
    shown (`ok` false) so monitoring can alert on it."""
    from chuangcheng.core.models import Heartbeat

    now = now or timezone.now()
    seen = dict(Heartbeat.objects.values_list("name", "at"))
    report: dict[str, dict[str, Any]] = {}
    for name, stale in expected_heartbeats().items():
        at = seen.get(name)
        if at is None:
            report[name] = {"ok": False, "required": False, "last_seen": None, "age_seconds": None}
            continue
        age = max(0, round((now - at).total_seconds()))
        report[name] = {"ok": age <= stale, "required": False, "last_seen": timezone.localtime(at).isoformat(),
                        "age_seconds": age}
    return report


def check_jobs() -> dict[str, Any]:
    """When each periodic job last ran and how (core.jobs records every run); not required, and
    `ok` false while a job's last run failed, so monitoring can alert on it."""
    from chuangcheng.core.models import JobRun

    def moment(at: dt.datetime | None) -> str | None:
        return timezone.localtime(at).isoformat() if at else None

    runs = {
        run.name: {"last_started": moment(run.last_started), "last_finished": moment(run.last_finished),
                   "outcome": run.last_outcome or None, "running": bool(run.claimed_by)}
        for run in JobRun.objects.all()
    }
    failed = sorted(name for name, run in runs.items() if run["outcome"] not in (None, JobRun.Outcome.OK))
    return {"ok": not failed, "required": False, "failed": failed, "runs": runs}
