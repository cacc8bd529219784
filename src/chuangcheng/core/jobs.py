"""The periodic jobs of the embedded default, registered by the apps that own them (in their
AppConfig.ready), so core needs to know none of them. Each job is idempotent."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)
_JOBS: dict[str, Callable[[], object]] = {}


def register(name: str, job: Callable[[], object]) -> None:
    _JOBS[name] = job


def run_periodic_jobs() -> dict[str, object]:
    """Run every job once; the embedded scheduler's heartbeat says when it last did. With the
    database unavailable, each job logs one line a minute (chuangcheng.core.faults), not a traceback."""
    from chuangcheng.core import faults, health

    results: dict[str, object] = {}
    for name, job in sorted(_JOBS.items()):
        try:
            results[name] = job()
        except faults.DATABASE_UNAVAILABLE as exc:
            faults.log_database_unavailable(exc, f"periodic job {name}")
        except Exception:  # one job failing must not stop the others
            logger.exception("periodic job %s failed", name)
    health.record_heartbeat(health.SCHEDULER)
    return results
