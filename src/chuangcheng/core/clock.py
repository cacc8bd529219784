"""The one clock. Everything that asks "what time is it" or "what day is today" asks here, so
tests can move time (time-machine) and every daily cut-off is a local (Asia/Shanghai) date."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)
