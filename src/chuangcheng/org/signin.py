"""Sign-in protection: count failures per account and per address, lock for a while."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest

from chuangcheng.core import clock
from chuangcheng.org.models import LoginAttempt


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _window_start() -> dt.datetime:
    return clock.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked_out(username: str, ip: str | None) -> bool:
    recent = LoginAttempt.objects.filter(at__gte=_window_start(), succeeded=False)
    limit = settings.LOGIN_FAILURE_LIMIT
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    # An address may try a few accounts (shared office NAT), but not spray many.
    return ip is not None and recent.filter(ip=ip).count() >= limit * 4


def record_attempt(username: str, ip: str | None, *, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], ip=ip, succeeded=succeeded)
    if succeeded:
        # A good sign-in clears the account's failure count.
        LoginAttempt.objects.filter(username__iexact=username, succeeded=False, at__gte=_window_start()).delete()
