"""The notification outbox: the public API other apps call, and delivery.

Callers (case services, say) write messages with `enqueue`, `notify_users`,
`notify_region_groups` or `notify_unit_groups` inside their own transaction. Nothing leaves
before that transaction commits; then each new message is handed over:

- with REDIS_URL set, to a Celery worker (a `deliver_message` task carrying the message id);
- without it (the embedded default), delivered in the same process right after commit.

If the hand-over fails (Redis down), the change still stands and the message waits, pending,
for the sweeper `deliver_pending` (Celery beat every minute, or `chuangcheng deliver` from cron).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.notify import permissions
from chuangcheng.notify.channels import SENDERS, DeliveryError, PermanentError
from chuangcheng.notify.models import Channel, InboxItem, Message, Status, Webhook
from chuangcheng.org.models import Region, Unit

log = logging.getLogger(__name__)


# --- writing messages (the public API) ------------------------------------------------------


def enqueue(
    *,
    key: str,
    channel: str,
    target: str,
    title: str,
    body: str = "",
    payload: dict[str, Any] | None = None,
    webhook: Webhook | None = None,
) -> Message:
    """Write one message in the caller's transaction and deliver it after commit.

    `key` identifies the message for good, e.g. "case:GM-20261129-0007:dispatched:42:inbox:7":
    enqueueing the same key again returns the first message and sends nothing more."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if len(key) > 255:
        raise ValueError("message keys are at most 255 characters")
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            key=key,
            defaults={
                "channel": channel, "target": str(target)[:500], "webhook": webhook, "title": title[:200],
                "body": body, "payload": payload or {}, "next_attempt_at": clock.now(),
            },
        )
        if created:
            transaction.on_commit(partial(schedule, message.pk), robust=True)
    return message


def notify_users(
    users: Iterable[Any],
    *,
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    channels: Sequence[str] = (Channel.INBOX,),
) -> list[Message]:
    """Tell people: one message per user and channel. E-mail goes to the login's address, SMS
    to the phone of the person behind the login; a user without one is skipped on that channel."""
    messages = []
    for user in users:
        for channel in channels:
            target = _user_target(user, channel)
            if target:
                messages.append(enqueue(
                    key=f"{key}:{channel}:{target}", channel=channel, target=target,
                    title=title, body=body, payload={"link": link} if link else {},
                ))
    return messages


def _user_target(user: Any, channel: str) -> str:
    if channel == Channel.INBOX:
        return str(user.pk)
    if channel == Channel.EMAIL:
        return str(user.email or "")
    if channel == Channel.SMS:
        person = getattr(user, "person", None)
        return str(getattr(person, "phone", "") or "")
    raise ValueError(f"users are not reached on channel {channel!r}")


def notify_region_groups(
    region: Region,
    *,
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    mention_mobiles: Sequence[str] = (),
) -> list[Message]:
    """Post to the active group robots of one region (a grid, a community, the street)."""
    return _notify_groups(Webhook.objects.filter(region=region, active=True), key=key, title=title,
                          body=body, link=link, mention_mobiles=mention_mobiles)


def notify_unit_groups(
    unit: Unit,
    *,
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    mention_mobiles: Sequence[str] = (),
) -> list[Message]:
    """Post to the active group robots of one responsible unit."""
    return _notify_groups(Webhook.objects.filter(unit=unit, active=True), key=key, title=title,
                          body=body, link=link, mention_mobiles=mention_mobiles)


def _notify_groups(
    webhooks: QuerySet[Webhook],
    *,
    key: str,
    title: str,
    body: str,
    link: str,
    mention_mobiles: Sequence[str],
) -> list[Message]:
    payload: dict[str, Any] = {}
    if link:
        payload["link"] = link
    if mention_mobiles:
        payload["mention_mobiles"] = list(mention_mobiles)
    return [
        enqueue(key=f"{key}:{hook.kind}:robot{hook.pk}", channel=hook.kind, target=hook.url, webhook=hook,
                title=title, body=body, payload=payload)
        for hook in webhooks
    ]


# --- handing over after commit --------------------------------------------------------------


def distributed() -> bool:
    return bool(settings.REDIS_URL)


def schedule(message_id: int) -> None:
    """Runs after commit: hand the message to a worker, or deliver it here and now."""
    if distributed():
        try:
            from chuangcheng.notify import tasks

            tasks.publish_delivery(message_id)
        except Exception:
            # The change is committed; the sweeper delivers this message once the broker is back.
            log.warning("message %s: broker not reachable, left for the sweeper", message_id, exc_info=True)
        return
    try:
        deliver(message_id)
    except Exception:
        log.exception("message %s: delivery after commit failed, left for the sweeper", message_id)


# --- delivery -------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8, 16 … minutes (NOTIFY_RETRY_BASE_SECONDS)."""
    return dt.timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def deliver(message_id: int) -> str | None:
    """Send one message if it is due and nobody else is sending it. Returns the message's new
    status, or None when there was nothing to do (already sent, not due, claimed elsewhere).

    The claim is one conditional UPDATE, so two workers (or a worker and the sweeper) never send
    the same message at once; it leases the message for NOTIFY_SEND_LEASE_SECONDS, after which
    a send that died with its worker becomes due again."""
    now = clock.now()
    claimed = Message.objects.filter(pk=message_id).due(now).update(
        status=Status.SENDING, attempts=F("attempts") + 1,
        next_attempt_at=now + dt.timedelta(seconds=settings.NOTIFY_SEND_LEASE_SECONDS),
    )
    if not claimed:
        return None
    message = Message.objects.select_related("webhook").get(pk=message_id)
    try:
        SENDERS[message.channel](message)
    except PermanentError as exc:
        return _finish(message, Status.FAILED, error=str(exc))
    except DeliveryError as exc:
        return _failed_attempt(message, str(exc))
    except Exception as exc:
        log.exception("message %s: unexpected error while sending", message_id)
        return _failed_attempt(message, f"{type(exc).__name__}: {exc}")
    return _finish(message, Status.SENT)


def _failed_attempt(message: Message, error: str) -> str:
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        log.warning("message %s failed for good after %s attempts: %s", message.pk, message.attempts, error)
        return _finish(message, Status.FAILED, error=error)
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.PENDING, next_attempt_at=clock.now() + backoff(message.attempts), last_error=error[:2000]
    )
    return Status.PENDING


def _finish(message: Message, status: str, *, error: str = "") -> str:
    values: dict[str, Any] = {"status": status}
    if status == Status.SENT:
        values["sent_at"] = clock.now()
    else:
        values["last_error"] = error[:2000]
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(**values)
    return status


def deliver_pending(*, limit: int = 500) -> int:
    """The sweeper: deliver every due message (first-time sends the broker never got, retries
    whose wait is over, sends whose worker vanished). Safe to run anywhere, any number of times.
    Returns how many were sent."""
    ids = list(
        Message.objects.due(clock.now()).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver(pk) == Status.SENT)


# --- back office and inbox ------------------------------------------------------------------


def retry_messages(messages: QuerySet[Message], *, by: Any) -> int:
    """Give failed messages a fresh round of attempts, starting now."""
    if not permissions.can_retry_messages(by):
        raise PermissionDenied(_("Only street office admins may retry notifications."))
    now = clock.now()
    with transaction.atomic():
        ids = list(messages.values_list("pk", flat=True))
        failed = list(Message.objects.select_for_update().filter(pk__in=ids, status=Status.FAILED))
        for message in failed:
            Message.objects.filter(pk=message.pk).update(status=Status.PENDING, attempts=0, next_attempt_at=now)
            audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=message,
                         changes={"status": [Status.FAILED, Status.PENDING]}, note="retry")
            transaction.on_commit(partial(schedule, message.pk), robust=True)
    return len(failed)


def mark_read(item: InboxItem, *, by: Any) -> None:
    if item.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("This message is not in your inbox."))
    if item.read_at is None:
        InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=clock.now())
        item.refresh_from_db(fields=["read_at"])


def mark_all_read(user: Any) -> int:
    return InboxItem.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())
