"""The periodic jobs of the embedded default, registered by the apps that own them (in their
AppConfig.ready), so core needs to know none of them. Each job is idempotent.

Each run is claimed through the database (one JobRun row per job, taken by a conditional UPDATE),
so several schedulers — one per `serve` process, or serve and a cron job — never run a job twice
at once, and with `every` they run it about once per period between them. A holder that dies
leaves its claim until `claimed_until` (JOB_LEASE_SECONDS), after which another takes it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from chuangcheng.core import metrics

logger = logging.getLogger(__name__)
_JOBS: dict[str, Callable[[], object]] = {}
# The jobs this thread is running under a claim (so a registered Celery task that claims its own
# run, see run_claimed, does not refuse the embedded scheduler's claim on it).
_held = threading.local()
T = TypeVar("T")
# A scheduler with a period skips a job another one started less than this share of it ago, so
# schedulers whose ticks drift apart still run each job about once per period between them.
RESTED_SHARE = 0.8


def register(name: str, job: Callable[[], object]) -> None:
    _JOBS[name] = job


def holder() -> str:
    """Who claims: this host and process (threads of one process never run one job twice at once,
    since a claim is only taken from a free row)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(name: str, *, every: float | None = None, now: dt.datetime | None = None) -> bool:
    """Take job `name` for one run unless someone holds it (or, with `every`, ran it less than
    RESTED_SHARE × every seconds ago). One UPDATE … WHERE decides, on SQLite and PostgreSQL alike,
    so two claimants never both win and no insert ever collides."""
    from chuangcheng.core.models import JobRun

    now = now or timezone.now()
    JobRun.objects.bulk_create([JobRun(name=name)], ignore_conflicts=True)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    if every is not None:
        free &= Q(last_started__isnull=True) | Q(last_started__lte=now - dt.timedelta(seconds=every * RESTED_SHARE))
    until = now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return bool(JobRun.objects.filter(free, name=name).update(claimed_by=holder(), claimed_until=until,
                                                               last_started=now))


def release(name: str, outcome: str) -> None:
    """End this process's claim on `name` and note how the run went."""
    from chuangcheng.core.models import JobRun

    JobRun.objects.filter(name=name, claimed_by=holder()).update(
        claimed_by="", claimed_until=None, last_finished=timezone.now(), last_outcome=outcome)


def run_job(name: str, *, every: float | None = None) -> tuple[bool, object]:
    """Claim `name`, run it, release it with its outcome. Answers (ran, result); a failure is
    logged (one line a minute when the database is down), never raised."""
    from chuangcheng.core import faults
    from chuangcheng.core.models import JobRun

    job = _JOBS[name]
    try:
        if not claim(name, every=every):
            return False, None
    except faults.DATABASE_UNAVAILABLE as exc:
        faults.log_database_unavailable(exc, f"periodic job {name}")
        return False, None
    outcome, result = JobRun.Outcome.OK, None
    _holding().add(name)
    started = time.perf_counter()
    try:
        result = job()
    except faults.DATABASE_UNAVAILABLE as exc:
        outcome = JobRun.Outcome.DATABASE_UNAVAILABLE
        faults.log_database_unavailable(exc, f"periodic job {name}")
    except Exception:  # one job failing must not stop the others
        outcome = JobRun.Outcome.FAILED
        logger.exception("periodic job %s failed", name)
    finally:
        _holding().discard(name)
        metrics.observe_job(name, str(outcome), time.perf_counter() - started)
    try:
        release(name, outcome)
    except faults.DATABASE_UNAVAILABLE as exc:  # the claim then ends at claimed_until
        faults.log_database_unavailable(exc, f"periodic job {name}")
    return True, result


def _holding() -> set[str]:
    names: set[str] | None = getattr(_held, "names", None)
    if names is None:
        names = _held.names = set()
    return names


def run_claimed(name: str, job: Callable[[], T]) -> T | None:
    """A Celery task's run of job `name` under the same claim as the embedded scheduler's, so beat
    sending a job every minute never has two workers run it at once when one run takes longer.
    Answers None when another holds it. Errors are recorded and raised (Celery retries on them)."""
    from chuangcheng.core import faults
    from chuangcheng.core.models import JobRun

    if name in _holding():  # the embedded scheduler claimed this run and calls the task itself
        return job()
    if not claim(name):
        logger.info("periodic job %s is running elsewhere: this run is skipped", name)
        return None
    outcome = JobRun.Outcome.FAILED
    _holding().add(name)
    try:
        result = job()
        outcome = JobRun.Outcome.OK
        return result
    except faults.DATABASE_UNAVAILABLE:
        outcome = JobRun.Outcome.DATABASE_UNAVAILABLE
        raise
    finally:
        _holding().discard(name)
        try:
            release(name, outcome)
        except faults.DATABASE_UNAVAILABLE as exc:  # the claim then ends at claimed_until
            faults.log_database_unavailable(exc, f"periodic job {name}")


def run_periodic_jobs(every: float | None = None) -> dict[str, object]:
    """Run every job once, each claimed through the database; answers the results of the jobs this
    call ran. `every`: the caller's period in seconds (the embedded scheduler's tick), so that
    several schedulers share the runs instead of each running everything. The scheduler's heartbeat
    says when it last did."""
    from chuangcheng.core import health

    results: dict[str, object] = {}
    for name in sorted(_JOBS):
        ran, result = run_job(name, every=every)
        if ran:
            results[name] = result
    health.record_heartbeat(health.SCHEDULER)
    return results
