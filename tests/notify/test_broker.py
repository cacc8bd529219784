"""Delivery through a real Redis broker and a real Celery worker to a local webhook receiver."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.db import transaction

from chuangcheng.core import clock
from chuangcheng.notify import services
from chuangcheng.notify.models import Channel, InboxItem, Message, Status, Webhook
from tests import factories as f
from tests.notify.conftest import Receiver, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _robot(receiver: Receiver) -> Webhook:
    return Webhook.objects.create(name="甲一网格工作群", kind=Webhook.Kind.WECOM, region=f.grid(), url=receiver.url)


def _status(message: Message) -> tuple[str, int]:
    message.refresh_from_db()
    return message.status, message.attempts


def test_a_worker_delivers_a_committed_message_to_the_group_robot(worker: Any, receiver: Receiver) -> None:
    robot = _robot(receiver)
    with transaction.atomic():
        [message] = services.notify_region_groups(robot.region, key="case:CC-1:dispatched:1", title="新问题已派遣",
                                                  body="乱堆物料，请于两个工作日内整改。")
        # Nothing leaves before the transaction commits.
        assert receiver.received == []
    wait_for(lambda: _status(message)[0] == Status.SENT, what="the worker to send the message")
    assert receiver.received == [{"msgtype": "markdown",
                                  "markdown": {"content": "**新问题已派遣**\n\n乱堆物料，请于两个工作日内整改。"}}]


def test_it_survives_the_receiver_being_down_for_a_while(worker: Any, receiver: Receiver) -> None:
    from chuangcheng.notify import tasks

    robot = _robot(receiver)
    receiver.down = True
    with transaction.atomic():
        [message] = services.notify_region_groups(robot.region, key="case:CC-2:overdue:1", title="问题已超期")
    wait_for(lambda: _status(message) == (Status.PENDING, 1), what="the first attempt to fail")
    message.refresh_from_db()
    assert "502" in message.last_error
    assert message.next_attempt_at > clock.now()  # backing off

    receiver.down = False
    Message.objects.filter(pk=message.pk).update(next_attempt_at=clock.now())  # the wait is over
    with tasks.app.connection_for_write() as connection:
        tasks.deliver_pending.apply_async(connection=connection)  # what Celery beat does every minute
    wait_for(lambda: _status(message)[0] == Status.SENT, what="the retry to succeed")
    assert (receiver.failed_calls, len(receiver.received)) == (1, 1)
    assert _status(message) == (Status.SENT, 2)

    # Delivered again (a redelivered task, a second sweep): nothing more is sent.
    tasks.publish_delivery(message.pk)
    with transaction.atomic():
        [marker] = services.notify_region_groups(robot.region, key="case:CC-3:overdue:1", title="另一个问题")
    wait_for(lambda: _status(marker)[0] == Status.SENT, what="a later message (the worker works in order)")
    assert len(receiver.received) == 2


def test_the_inbox_gets_a_message_once_however_often_it_is_delivered(worker: Any) -> None:
    from chuangcheng.notify import tasks

    user = f.UserFactory()
    with transaction.atomic():
        [message] = services.notify_users([user], key="case:CC-4:dispatched:1", title="您有新的整改任务")
    wait_for(lambda: _status(message)[0] == Status.SENT, what="the inbox delivery")
    # Force a second run of the same message past its "sent" state, as a crashed worker would.
    Message.objects.filter(pk=message.pk).update(status=Status.PENDING, next_attempt_at=clock.now())
    tasks.publish_delivery(message.pk)
    wait_for(lambda: _status(message) == (Status.SENT, 2), what="the second delivery")
    assert InboxItem.objects.filter(user=user).count() == 1


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_redis_down_at_enqueue_keeps_the_commit_and_the_sweeper_delivers_later(settings: Any) -> None:
    from chuangcheng.celery import app

    user = f.UserFactory()
    dead = f"redis://127.0.0.1:{_dead_port()}/0"
    saved = app.conf.broker_url
    settings.REDIS_URL = app.conf.broker_url = dead
    try:
        with transaction.atomic():
            [message] = services.notify_users([user], key="case:CC-5:accepted:1", title="问题已立案")
    finally:
        app.conf.broker_url = saved
    assert _status(message) == (Status.PENDING, 0)
    assert Message.objects.filter(channel=Channel.INBOX).count() == 1

    settings.REDIS_URL = ""  # the broker is back, or cron runs `chuangcheng deliver`
    assert services.deliver_pending() == 1
    assert InboxItem.objects.get(user=user).title == "问题已立案"


def test_a_robot_answering_after_the_timeout_gets_the_message_once_then_one_retry_with_the_key(
    worker: Any, receiver: Receiver, settings: Any
) -> None:
    from chuangcheng.notify import tasks

    settings.NOTIFY_TIMEOUTS = {**settings.NOTIFY_TIMEOUTS, "wecom": 0.3}
    receiver.delay = 1.0  # it posts to the group, but answers too late
    robot = _robot(receiver)
    with transaction.atomic():
        [message] = services.notify_region_groups(robot.region, key="case:CC-6:dispatched:1", title="新问题已派遣")
    wait_for(lambda: _status(message)[0] == Status.UNKNOWN, what="the send to end without an answer")
    message.refresh_from_db()
    assert (message.attempts, message.unanswered) == (1, 1)
    assert message.next_attempt_at > clock.now()  # not hammered again: later, with the backoff
    # The worker's task is done; nothing sends it again before its time (a sweep now finds nothing).
    with tasks.app.connection_for_write() as connection:
        tasks.deliver_pending.apply_async(connection=connection)
    with transaction.atomic():
        [marker] = services.notify_users([f.UserFactory()], key="marker", title="m")
    wait_for(lambda: _status(marker)[0] == Status.SENT, what="the sweep and a later message")
    assert len(receiver.keys) == 1

    receiver.delay = 0
    Message.objects.filter(pk=message.pk).update(next_attempt_at=clock.now())  # the wait is over
    with tasks.app.connection_for_write() as connection:
        tasks.deliver_pending.apply_async(connection=connection)
    wait_for(lambda: _status(message)[0] == Status.SENT, what="the retry")
    # The group was posted to twice (the late first answer, then the retry), not four times.
    assert receiver.keys == [(message.key, message.key)] * 2
