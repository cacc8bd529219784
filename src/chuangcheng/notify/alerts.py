"""Alerts about the outbox itself, run every few minutes (embedded scheduler or Celery beat):

- messages that failed for good: the admins of the street whose group robot (or unit's robot) it
  was get an inbox item naming the robots and the last error; the operators (OPERATOR_EMAILS)
  get an e-mail about every failure. Each is told again only about failures newer than the ones
  they were told about, and at most once an hour.
- a backlog: messages due for more than READYZ_OUTBOX_STALE_SECONDS, or more than
  ALERT_BACKLOG_MESSAGES due at once, are told to every street office's admins and the operators,
  once an hour while it lasts.

The alerts are messages of the outbox like any other (their keys start with "alert:" and they are
left out of what they count). An inbox item is a database row, so it arrives even while every
robot fails. A dead worker cannot run this job: that is what /readyz's heartbeats and the
`chuangcheng_heartbeat_age_seconds` metric are for, watched from outside."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from chuangcheng.core import clock
from chuangcheng.notify.models import WAITING, Channel, Message, Status
from chuangcheng.notify.services import enqueue
from chuangcheng.org.models import Region, Role, User

PREFIX = "alert:"
EVERY = dt.timedelta(hours=1)


def _told_recently(prefix: str, now: dt.datetime) -> bool:
    return Message.objects.filter(key__startswith=prefix, created_at__gte=now - EVERY).exists()


def _street_admins() -> list[Any]:
    return list(User.objects.filter(role=Role.STREET_ADMIN, is_active=True, scope__isnull=False)
                .select_related("scope").order_by("pk"))


def _failures() -> list[Message]:
    since = clock.now() - dt.timedelta(days=7)
    return list(Message.objects.filter(status=Status.FAILED, created_at__gte=since).exclude(key__startswith=PREFIX)
                .select_related("webhook__region", "webhook__unit__region").order_by("pk"))


def _path_of(message: Message) -> str | None:
    hook = message.webhook
    if hook is None:
        return None
    region: Region | None = hook.region if hook.region_id else (hook.unit.region if hook.unit else None)
    return region.path if region is not None else None


def _failure_text(failures: list[Message]) -> str:
    robots: dict[str, int] = defaultdict(int)
    for message in failures:
        robots[message.webhook.name if message.webhook else message.get_channel_display()] += 1
    lines = [_("%(name)s: %(n)d failed") % {"name": name, "n": n} for name, n in sorted(robots.items())]
    last = failures[-1]
    lines.append(_("Last error: %(error)s") % {"error": (last.last_error or "-")[:300]})
    lines.append(_("Check the robot's address in the group settings, then send the messages again."))
    return "\n".join(lines)


def _alert(key: str, channel: str, target: str, title: str, body: str) -> None:
    enqueue(key=key, channel=channel, target=target, title=title, body=body)


def check_outbox(now: dt.datetime | None = None) -> dict[str, int]:
    """Send the alerts due now; answers how many were sent of each kind."""
    now = now or clock.now()
    sent = {"failed": 0, "backlog": 0}
    with override(settings.LANGUAGE_CODE):
        failures = _failures()
        if failures:
            admins = _street_admins()
            for admin in admins:
                mine = [m for m in failures if (_path_of(m) or "").startswith(admin.scope.path)]
                if not mine:
                    continue
                prefix = f"{PREFIX}failed:u{admin.pk}:"
                key = f"{prefix}upto{mine[-1].pk}"
                if Message.objects.filter(key=key).exists() or _told_recently(prefix, now):
                    continue
                _alert(key, Channel.INBOX, str(admin.pk),
                       _("%(n)d notifications could not be sent") % {"n": len(mine)}, _failure_text(mine))
                sent["failed"] += 1
            for address in settings.OPERATOR_EMAILS:
                prefix = f"{PREFIX}failed:ops:{address}:"
                key = f"{prefix}upto{failures[-1].pk}"
                if Message.objects.filter(key=key).exists() or _told_recently(prefix, now):
                    continue
                _alert(key, Channel.EMAIL, address,
                       _("Chuangcheng: %(n)d notifications could not be sent") % {"n": len(failures)},
                       _failure_text(failures))
                sent["failed"] += 1
        sent["backlog"] = _check_backlog(now)
    return sent


def _check_backlog(now: dt.datetime) -> int:
    stale = dt.timedelta(seconds=settings.READYZ_OUTBOX_STALE_SECONDS)
    due = (Message.objects.filter(status__in=WAITING, next_attempt_at__lte=now)
           .exclude(key__startswith=PREFIX))
    count = due.count()
    old = due.filter(next_attempt_at__lte=now - stale).count()
    if not old and count <= settings.ALERT_BACKLOG_MESSAGES:
        return 0
    hour = timezone.localtime(now).strftime("%Y%m%d%H")
    title = _("Notifications are delayed: %(n)d waiting") % {"n": count}
    body = _("%(old)d of them have waited more than %(minutes)d minutes. The worker or the scheduler may "
             "have stopped, or a channel may be very slow; see /readyz.") % {
        "old": old, "minutes": settings.READYZ_OUTBOX_STALE_SECONDS // 60}
    n = 0
    targets = [(Channel.INBOX.value, str(admin.pk)) for admin in _street_admins()]
    targets += [(Channel.EMAIL.value, address) for address in settings.OPERATOR_EMAILS]
    already = set(Message.objects.filter(key__startswith=f"{PREFIX}backlog:{hour}:").values_list("key", flat=True))
    for channel, target in targets:
        key = f"{PREFIX}backlog:{hour}:{channel}:{target}"
        if key in already:
            continue
        _alert(key, channel, target, title, body)
        n += 1
    return n


def outbox_figures(now: dt.datetime) -> Iterator[Any]:
    """For /metrics (chuangcheng.core.metrics): the outbox by channel and state, and how long the
    oldest message due for sending has waited."""
    from prometheus_client.core import GaugeMetricFamily

    outbox = GaugeMetricFamily("chuangcheng_outbox_messages", "Messages in the outbox by channel and state",
                               labels=["channel", "state"])
    for channel, state, n in Message.objects.values_list("channel", "status").annotate(n=Count("id")).order_by():
        outbox.add_metric([channel, state], n)
    yield outbox
    oldest = (Message.objects.filter(status__in=WAITING, next_attempt_at__lte=now)
              .aggregate(at=Min("next_attempt_at"))["at"])
    waiting = GaugeMetricFamily("chuangcheng_outbox_oldest_due_seconds",
                                "How long the oldest message due for sending has waited")
    waiting.add_metric([], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    yield waiting
