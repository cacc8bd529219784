"""Celery tasks of the reports app: thin, keyed by day and street, safe to run twice, and each run
claimed through the database (core.jobs), so two workers never run one at the same time."""

from __future__ import annotations

from django.db import OperationalError

from chuangcheng.celery import app
from chuangcheng.core.jobs import run_claimed

BUILD_ROLLUPS = "reports.build_rollups"
DRAFT_BULLETINS = "reports.draft_bulletins"
DRAFT_RANKINGS = "reports.draft_rankings"


@app.task(name=BUILD_ROLLUPS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def build_rollups() -> int:
    from chuangcheng.reports.services.rollups import build_missing_days

    return run_claimed(BUILD_ROLLUPS, build_missing_days) or 0


@app.task(name=DRAFT_BULLETINS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def draft_bulletins() -> int:
    from chuangcheng.reports.services.bulletins import draft_due_bulletins

    return run_claimed(DRAFT_BULLETINS, draft_due_bulletins) or 0


@app.task(name=DRAFT_RANKINGS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def draft_rankings() -> int:
    from chuangcheng.reports.services.rankings import draft_due_rankings

    return run_claimed(DRAFT_RANKINGS, draft_due_rankings) or 0
