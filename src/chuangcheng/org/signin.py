"""Sign-in protection that stops guessing without locking other people out.

- Per account: after LOGIN_FAILURE_LIMIT failures the account waits LOGIN_LOCKOUT_MINUTES after
  its last failure, and each further failure doubles the wait (up to a day). While it waits no
  password is even checked. A good sign-in clears its failures.
- Per client address (the real one: chuangcheng.core.proxy, X-Forwarded-For believed from trusted
  proxies only): an address with LOGIN_ADDRESS_FAILURE_LIMIT failures in the window is throttled.
  A throttled address may still try an account it has not failed on in the window, and a right
  password for an account that is not itself locked signs in: so neighbours behind one office NAT,
  or everybody behind a proxy, are never locked out by someone spraying made-up names. What it loses
  is the right to retry: one guess per account per window from that address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import ngettext

from chuangcheng.core import clock
from chuangcheng.core.proxy import client_address
from chuangcheng.org.models import LoginAttempt

# The longest an account ever waits, and how far back its failures are remembered.
LONGEST_WAIT = dt.timedelta(days=1)


def client_ip(request: HttpRequest) -> str | None:
    return client_address(request)


@dataclass(frozen=True)
class Refusal:
    """Why this attempt is not checked (or not answered): the account waits, or the address does."""

    code: str  # "locked" | "throttled"
    until: dt.datetime

    @property
    def minutes(self) -> int:
        return max(1, -(-int((self.until - clock.now()).total_seconds()) // 60))

    @property
    def message(self) -> str:
        if self.code == "throttled":
            return ngettext(
                "Too many failed sign-ins from your network. Try this account again in %(minutes)d minute.",
                "Too many failed sign-ins from your network. Try this account again in %(minutes)d minutes.",
                self.minutes) % {"minutes": self.minutes}
        return ngettext(
            "Too many failed sign-ins. This account is locked for %(minutes)d minute; "
            "try again later or ask the street office to reset your password.",
            "Too many failed sign-ins. This account is locked for %(minutes)d minutes; "
            "try again later or ask the street office to reset your password.",
            self.minutes) % {"minutes": self.minutes}


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def account_wait(failures: int) -> dt.timedelta:
    """How long an account with this many recent failures waits after the last one."""
    extra = failures - settings.LOGIN_FAILURE_LIMIT
    if extra < 0:
        return dt.timedelta(0)
    return min(_window() * (2 ** min(extra, 16)), LONGEST_WAIT)


def _account_refusal(username: str, now: dt.datetime) -> Refusal | None:
    failures = list(LoginAttempt.objects.filter(username__iexact=username, succeeded=False,
                                                at__gte=now - LONGEST_WAIT).values_list("at", flat=True)
                    .order_by("-at")[: settings.LOGIN_FAILURE_LIMIT + 17])
    wait = account_wait(len(failures))
    if wait and failures[0] + wait > now:
        return Refusal("locked", failures[0] + wait)
    return None


def _address_throttled(ip: str | None, now: dt.datetime) -> bool:
    if ip is None:
        return False
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    return LoginAttempt.objects.filter(ip=ip, succeeded=False, at__gte=now - _window()).count() >= limit


def _address_failed_on(username: str, ip: str, now: dt.datetime) -> dt.datetime | None:
    return (LoginAttempt.objects.filter(ip=ip, username__iexact=username, succeeded=False, at__gte=now - _window())
            .order_by("-at").values_list("at", flat=True).first())


def refusal_before_checking(username: str, ip: str | None) -> Refusal | None:
    """Refuse without looking at the password: the account is locked, or this throttled address
    already failed on this account in the window."""
    now = clock.now()
    locked = _account_refusal(username, now)
    if locked is not None:
        return locked
    if ip is not None and _address_throttled(ip, now):
        last = _address_failed_on(username, ip, now)
        if last is not None:
            return Refusal("throttled", last + _window())
    return None


def refusal_after_failure(username: str, ip: str | None) -> Refusal | None:
    """After a failure was recorded: what to say instead of "wrong password", if anything (an
    account that has just reached its limit hears so at its next attempt)."""
    now = clock.now()
    if ip is not None and _address_throttled(ip, now):
        return Refusal("throttled", now + _window())
    return None


def record_attempt(username: str, ip: str | None, *, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], ip=ip, succeeded=succeeded)
    if succeeded:
        # A good sign-in clears the account's failures (those from every address).
        LoginAttempt.objects.filter(username__iexact=username, succeeded=False,
                                    at__gte=clock.now() - LONGEST_WAIT).delete()
