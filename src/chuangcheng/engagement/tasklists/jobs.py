"""Scheduled work of this area, registered with core.jobs when the app is ready; the same job is a
Celery task for beat (settings.CELERY_BEAT_SCHEDULE["tasklists-sweep-tasks"])."""

from __future__ import annotations

from django.db import OperationalError

from chuangcheng.celery import app

SWEEP_TASKS = "tasklists.sweep_tasks"


# A locked or briefly unreachable database: try again soon (a second run changes nothing).
@app.task(name=SWEEP_TASKS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def sweep_tasks() -> dict[str, int]:
    """Due-soon reminders and overdue escalation (督办) of the task lists, once per task and stage."""
    from chuangcheng.engagement.tasklists import services

    result = services.sweep_tasks()
    return {"warned": result.warned, "escalated": result.escalated}


def register() -> None:
    from chuangcheng.core import jobs

    jobs.register(SWEEP_TASKS, sweep_tasks)
