"""The heartbeats of Celery's processes, written from the worker (see chuangcheng.core.health):
`worker` whenever it finishes a task, `beat` whenever the task it finished is one of beat's
scheduled jobs, which only beat sends (so a stopped beat leaves `beat` growing old while
`worker` stays fresh)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from chuangcheng.core import health, metrics

_started: dict[str, float] = {}


def scheduled_task_names() -> set[str]:
    return {str(entry["task"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def on_task_started(sender: Any = None, task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


def on_task_finished(sender: Any = None, task: Any = None, task_id: str | None = None, state: str | None = None,
                     **kwargs: Any) -> None:
    name = getattr(task or sender, "name", None)
    started = _started.pop(task_id, None) if task_id else None
    if name:
        metrics.observe_job(str(name), "ok" if state == "SUCCESS" else (state or "unknown").lower(),
                            time.perf_counter() - started if started is not None else 0.0)
    health.record_heartbeat(health.WORKER)
    if name in scheduled_task_names():
        health.record_heartbeat(health.BEAT)


def connect_celery_signals() -> None:
    from celery import signals  # type: ignore[import-untyped]

    signals.task_prerun.connect(on_task_started, weak=False, dispatch_uid="chuangcheng-task-started")
    signals.task_postrun.connect(on_task_finished, weak=False, dispatch_uid="chuangcheng-heartbeat")
