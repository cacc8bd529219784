"""The Celery app for the distributed mode (REDIS_URL set): `chuangcheng worker`, or
`celery -A chuangcheng worker --beat`. Its settings are the CELERY_* names in settings.py."""

from __future__ import annotations

import os

from celery import Celery  # type: ignore[import-untyped]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangcheng.settings")

app = Celery("chuangcheng")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Finds each app's tasks.py when the worker starts (no import here: this module sits below them).
app.autodiscover_tasks()
