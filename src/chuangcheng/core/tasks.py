"""Celery tasks of core: thin, safe to run twice (the claim in `exports.run_export` decides)."""

from __future__ import annotations

from django.db import OperationalError

from chuangcheng.celery import app
from chuangcheng.core import dbstats, exports

RUN_EXPORT = "core.run_export"
PURGE_EXPORTS = "core.purge_exports"
REFRESH_STATISTICS = "core.refresh_statistics"


@app.task(name=RUN_EXPORT, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def run_export(job_id: int) -> str | None:
    return exports.run_export(job_id)


@app.task(name=PURGE_EXPORTS, ignore_result=True)
def purge_exports() -> int:
    return exports.purge_expired()


@app.task(name=REFRESH_STATISTICS, ignore_result=True)
def refresh_statistics() -> bool:
    return dbstats.refresh_statistics()


def publish_export(job_id: int) -> None:
    """Hand one export to the broker, once, without the publish retries that would hold the
    request while Redis is down (the caller then builds it in this process)."""
    options = {**app.conf.broker_transport_options, "max_retries": 1, "interval_start": 0, "interval_step": 0.2}
    with app.connection_for_write(transport_options=options) as connection:
        run_export.apply_async((job_id,), connection=connection, retry=False)
