"""The notification outbox: the public API other apps call, and delivery.

Callers (case services, say) write messages with `enqueue`, `notify_users`,
`notify_region_groups` or `notify_unit_groups` inside their own transaction. Nothing leaves
before that transaction commits; then the messages it wrote are handed over, together:

- with REDIS_URL set, to a Celery worker (a `deliver_message` task per message id), over one
  broker connection with a short timeout (NOTIFY_BROKER_TIMEOUT) and no publish retries; once a
  hand-over fails, the rest of that commit's messages are not offered to the broker at all;
- without it (the embedded default), to this process's delivery thread (`courier`), never sent
  on the committing request's thread. In-app inbox messages are the exception: each is one
  database row, written right after commit on the committing thread (cheap, and the inbox shows
  it at once).

Whatever is not handed over (broker down or frozen, process stopped) waits, pending, for the
sweeper `deliver_pending` (Celery beat every minute, `chuangcheng serve`'s scheduler, or
`chuangcheng deliver` from cron).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.notify import permissions
from chuangcheng.notify.channels import SENDERS, DeliveryError, PermanentError, UnknownOutcome
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
            hand_over_after_commit(message.pk, channel)
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
    with transaction.atomic():  # one commit, one hand-over, even when the caller has no transaction
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
    with transaction.atomic():
        return [
            enqueue(key=f"{key}:{hook.kind}:robot{hook.pk}", channel=hook.kind, target=hook.url, webhook=hook,
                    title=title, body=body, payload=payload)
            for hook in webhooks
        ]


# --- handing over after commit --------------------------------------------------------------


def distributed() -> bool:
    return bool(settings.REDIS_URL)


class _HandOver:
    """The messages one transaction wrote, handed over together once it commits (one on_commit
    hook per transaction, not one per message)."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.inbox: set[int] = set()
        self.ran = False
        self.__qualname__ = "notify.hand_over"  # Django names a failing hook by it

    def __call__(self) -> None:
        self.ran = True
        hand_over(self.ids, inbox=self.inbox)


def hand_over_after_commit(message_id: int, channel: str) -> None:
    """Add the message to its transaction's hand-over, registering that on first use. A hand-over
    whose savepoint was rolled back is no longer among the hooks: a fresh one is started."""
    inbox = {message_id} if channel == Channel.INBOX else set()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        hand_over([message_id], inbox=inbox)  # committed already
        return
    batch: _HandOver | None = getattr(connection, "_notify_hand_over", None)
    # A batch that ran already (its hooks executed while the outer transaction stays open, as
    # tests capturing commit hooks do) takes nothing more: a fresh one is started.
    if batch is None or batch.ran or not any(hook[1] is batch for hook in connection.run_on_commit):
        batch = _HandOver()
        connection._notify_hand_over = batch
        transaction.on_commit(batch, robust=True)
    batch.ids.append(message_id)
    batch.inbox |= inbox


def hand_over(message_ids: Sequence[int], *, inbox: Collection[int] = ()) -> None:
    """Runs after commit, on the committing thread: nothing here waits for a channel. `inbox`
    names the in-app inbox messages among them (delivered right here when embedded)."""
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        return
    if distributed():
        from chuangcheng.notify import tasks

        try:
            tasks.publish_deliveries(ids)
        except tasks.HandOverFailed as exc:
            # The change is committed; the sweeper delivers the rest once the broker is back.
            log.warning("broker not reachable (%s): %s of %s messages left for the sweeper",
                        exc.__cause__ or exc, len(ids) - exc.published, len(ids))
        return
    from chuangcheng.notify.courier import courier

    if transaction.get_connection().in_atomic_block or not settings.NOTIFY_BACKGROUND:
        # Django runs commit hooks after the commit, outside any transaction; a hook run while
        # one is still open (a test executing captured hooks) wrote rows no other connection can
        # see yet, so the delivery thread could not claim them: deliver them here instead. The
        # same without the delivery thread (NOTIFY_BACKGROUND off: the test suite's in-memory SQLite).
        inbox = set(ids)
    for pk in ids:
        if pk in inbox:
            try:
                deliver(pk)
            except Exception:
                log.exception("message %s: inbox delivery after commit failed, left for the sweeper", pk)
    courier.submit(pk for pk in ids if pk not in inbox)


def wait_for_delivery(timeout: float) -> bool:
    """Wait until this process's delivery thread has tried everything handed to it (for a batch
    job such as the demo build that wants its messages out before it returns)."""
    from chuangcheng.notify.courier import courier

    return courier.wait_idle(timeout)


# --- delivery -------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8, 16 … minutes (NOTIFY_RETRY_BASE_SECONDS)."""
    return dt.timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


# A send interrupted with its worker is taken up again at most this often.
ORPHAN_RESENDS = 1


def _claim(message_id: int, now: dt.datetime) -> bool:
    """Take the message for one send, in one conditional UPDATE each: a first send or a retry
    that is due; or a send whose lease ran out (its worker died or hung), taken up again only
    once (the second time it is marked failed, as the first send may well have arrived)."""
    lease = now + dt.timedelta(seconds=settings.NOTIFY_SEND_LEASE_SECONDS)
    mine = Message.objects.filter(pk=message_id, next_attempt_at__lte=now)
    if mine.filter(status__in=[Status.PENDING, Status.UNKNOWN]).update(
        status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease,
    ):
        return True
    interrupted = mine.filter(status=Status.SENDING)
    if interrupted.filter(orphaned__lt=ORPHAN_RESENDS).update(
        attempts=F("attempts") + 1, orphaned=F("orphaned") + 1, next_attempt_at=lease,
    ):
        log.warning("message %s: its send was interrupted (lease over), sending it again once", message_id)
        return True
    if interrupted.filter(orphaned__gte=ORPHAN_RESENDS).update(
        status=Status.FAILED,
        last_error=_("Its send was interrupted twice; not sent again, as it may have arrived."),
    ):
        log.warning("message %s: send interrupted twice, marked failed", message_id)
    return False


def deliver(message_id: int) -> str | None:
    """Send one message if it is due and nobody else is sending it. Returns the message's new
    status, or None when there was nothing to do (already sent, not due, claimed elsewhere).

    The claim (`_claim`) is one conditional UPDATE, so two workers (or a worker and the sweeper)
    never send the same message at once; it leases the message for NOTIFY_SEND_LEASE_SECONDS.
    A send that times out waiting for the answer is "unknown", not failed: the message waits
    (status unknown) and is tried again with the same key after the backoff, at most
    NOTIFY_UNKNOWN_RETRIES times."""
    if not _claim(message_id, clock.now()):
        return None
    message = Message.objects.select_related("webhook").get(pk=message_id)
    try:
        SENDERS[message.channel](message)
    except PermanentError as exc:
        return _finish(message, Status.FAILED, error=str(exc))
    except UnknownOutcome as exc:
        return _unanswered(message, str(exc))
    except DeliveryError as exc:
        return _failed_attempt(message, str(exc))
    except Exception as exc:
        log.exception("message %s: unexpected error while sending", message_id)
        return _failed_attempt(message, f"{type(exc).__name__}: {exc}")
    return _finish(message, Status.SENT)


def _mine(message: Message) -> QuerySet[Message]:
    """The message while this send still holds it (each claim counts an attempt)."""
    return Message.objects.filter(pk=message.pk, status=Status.SENDING, attempts=message.attempts)


def _failed_attempt(message: Message, error: str) -> str:
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        log.warning("message %s failed for good after %s attempts: %s", message.pk, message.attempts, error)
        return _finish(message, Status.FAILED, error=error)
    _mine(message).update(
        status=Status.PENDING, next_attempt_at=clock.now() + backoff(message.attempts), last_error=error[:2000]
    )
    return Status.PENDING


def _unanswered(message: Message, error: str) -> str:
    """No answer in time: the message may have arrived. Try again later with the same key, a few
    times at most; then it is failed (with a note that it may have arrived)."""
    unanswered = message.unanswered + 1
    if unanswered > settings.NOTIFY_UNKNOWN_RETRIES or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        log.warning("message %s: no answer %s times, not tried again: %s", message.pk, unanswered, error)
        note = _("No answer %(count)s times; not sent again, as it may have arrived.") % {"count": unanswered}
        _mine(message).update(unanswered=unanswered)
        return _finish(message, Status.FAILED, error=f"{note} {error}")
    _mine(message).update(
        status=Status.UNKNOWN, unanswered=unanswered, next_attempt_at=clock.now() + backoff(message.attempts),
        last_error=error[:2000],
    )
    return Status.UNKNOWN


def _finish(message: Message, status: str, *, error: str = "") -> str:
    values: dict[str, Any] = {"status": status}
    if status == Status.SENT:
        values["sent_at"] = clock.now()
    else:
        values["last_error"] = error[:2000]
    _mine(message).update(**values)
    return status


def deliver_pending(*, limit: int = 500) -> int:
    """The sweeper: deliver every due message (first-time sends the broker never got, retries
    whose wait is over, sends without an answer, sends whose worker vanished). Safe to run
    anywhere, any number of times (the claim keeps each send single). Returns how many were sent."""
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
            Message.objects.filter(pk=message.pk).update(status=Status.PENDING, attempts=0, unanswered=0, orphaned=0,
                                                         next_attempt_at=now)
            audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=message,
                         changes={"status": [Status.FAILED, Status.PENDING]}, note="retry")
            hand_over_after_commit(message.pk, message.channel)
    return len(failed)


def mark_read(item: InboxItem, *, by: Any) -> None:
    if item.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("This message is not in your inbox."))
    if item.read_at is None:
        InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=clock.now())
        item.refresh_from_db(fields=["read_at"])


def mark_all_read(user: Any) -> int:
    return InboxItem.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())
