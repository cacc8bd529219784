"""The one clock. Everything that asks "what time is it" or "what day is today" asks here, so
tests can move time (time-machine), the demo can write eight weeks of history as it would have
happened (`pinned`), and every daily cut-off is a local (Asia/Shanghai) date."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_pinned: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("pinned_now", default=None)


def now() -> dt.datetime:
    return _pinned.get() or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of a local date (midnight in Asia/Shanghai), aware."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A local date as the half-open range of moments [start, next day's start)."""
    return start_of(day), start_of(day + dt.timedelta(days=1))


@contextlib.contextmanager
def pinned(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, `now()` is `moment` (aware). For writing history through the same
    services that write the present, as the demo generator does."""
    if timezone.is_naive(moment):
        raise ValueError("pinned() needs an aware datetime")
    token = _pinned.set(moment)
    try:
        yield moment
    finally:
        _pinned.reset(token)
