"""Celery tasks of the inspections app: thin, safe to run twice (a street's plan is made once a day)."""

from __future__ import annotations

from django.db import OperationalError

from chuangcheng.celery import app
from chuangcheng.core.jobs import run_claimed
from chuangcheng.inspections.services import plans

MAKE_TODAYS_PLANS = "inspections.make_todays_plans"


# Beat sends it every minute; it plans each street once, at the street's plan_at. Each run is claimed
# through the database (core.jobs), so a slow run is never joined by a second worker.
@app.task(name=MAKE_TODAYS_PLANS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def make_todays_plans() -> int:
    return run_claimed(MAKE_TODAYS_PLANS, plans.make_todays_plans) or 0
