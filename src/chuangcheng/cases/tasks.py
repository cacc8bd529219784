"""Celery tasks of the cases app: thin, safe to run twice (the sweep claims each case once)."""

from __future__ import annotations

from django.db import OperationalError

from chuangcheng.cases import services
from chuangcheng.celery import app

SWEEP_DEADLINES = "cases.sweep_deadlines"


# A locked or briefly unreachable database: try again soon (a second run changes nothing).
@app.task(name=SWEEP_DEADLINES, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def sweep_case_deadlines() -> dict[str, int]:
    result = services.sweep_deadlines()
    return {"warned": result.warned, "escalated": result.escalated}
