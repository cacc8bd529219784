"""Celery tasks of the public side: thin, safe to run twice (the outbox key and the one points
entry per report make a second run change nothing)."""

from __future__ import annotations

from django.db import OperationalError

from chuangcheng.celery import app
from chuangcheng.public import services

NOTIFY_REPORTERS = "public.notify_reporters"
AWARD_POINTS = "public.award_due_points"
PRUNE_ATTEMPTS = "public.prune_attempts"


@app.task(name=NOTIFY_REPORTERS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def notify_reporters() -> int:
    return services.notify_reporters()


@app.task(name=AWARD_POINTS, ignore_result=True, autoretry_for=(OperationalError,), max_retries=3,
          retry_backoff=1, retry_backoff_max=30, retry_jitter=True)
def award_due_points() -> int:
    return services.award_due_points()


@app.task(name=PRUNE_ATTEMPTS, ignore_result=True)
def prune_attempts() -> int:
    return services.prune_attempts()
