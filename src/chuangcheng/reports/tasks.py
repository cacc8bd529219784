"""Celery tasks of the reports app: thin, keyed by day and street, safe to run twice."""

from __future__ import annotations

from django.db import OperationalError

from chuangcheng.celery import app

BUILD_ROLLUPS = "reports.build_rollups"
DRAFT_BULLETINS = "reports.draft_bulletins"
DRAFT_RANKINGS = "reports.draft_rankings"


@app.task(name=BUILD_ROLLUPS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def build_rollups() -> int:
    from chuangcheng.reports.services.rollups import build_missing_days

    return build_missing_days()


@app.task(name=DRAFT_BULLETINS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def draft_bulletins() -> int:
    from chuangcheng.reports.services.bulletins import draft_due_bulletins

    return draft_due_bulletins()


@app.task(name=DRAFT_RANKINGS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def draft_rankings() -> int:
    from chuangcheng.reports.services.rankings import draft_due_rankings

    return draft_due_rankings()
