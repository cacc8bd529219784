"""The embedded mode (no Redis): delivery right after commit, retries with backoff, failure,
idempotent keys and the inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction

from chuangcheng.core import clock
from chuangcheng.notify import queries, services
from chuangcheng.notify.models import Channel, InboxItem, Message, Status, Webhook
from tests import factories as f
from tests.conftest import Cast
from tests.notify.conftest import Receiver


@pytest.fixture(autouse=True)
def embedded(settings: Any) -> None:
    settings.REDIS_URL = ""


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_delivers_right_after_commit_without_redis() -> None:
    user = f.UserFactory()
    with transaction.atomic():
        [message] = services.notify_users([user], key="case:CC-1:dispatched:1", title="您有新的整改任务",
                                          link="/cases/CC-1/")
        assert not InboxItem.objects.exists()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    item = InboxItem.objects.get(user=user)
    assert (item.title, item.link, item.unread) == ("您有新的整改任务", "/cases/CC-1/", True)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_change_is_rolled_back() -> None:
    user = f.UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify_users([user], key="case:CC-1:dispatched:1", title="x")
        raise RuntimeError("the case change failed")
    assert not Message.objects.exists()
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_enqueueing_the_same_key_twice_gives_one_message() -> None:
    user = f.UserFactory()
    first = services.notify_users([user], key="case:CC-1:dispatched:1", title="a")
    again = services.notify_users([user], key="case:CC-1:dispatched:1", title="a")
    assert [m.pk for m in first] == [m.pk for m in again]
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_the_inbox_gets_a_message_once_when_delivery_runs_twice() -> None:
    user = f.UserFactory()
    [message] = services.notify_users([user], key="k", title="a")
    assert services.deliver(message.pk) == Status.SENT
    assert services.deliver(message.pk) is None  # already sent: nothing to do
    # Even a forced second send (a worker that died after sending, before marking) adds nothing.
    Message.objects.filter(pk=message.pk).update(status=Status.SENDING, next_attempt_at=clock.now())
    assert services.deliver(message.pk) == Status.SENT
    assert InboxItem.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_failing_robot_is_retried_with_backoff_then_marked_failed(receiver: Receiver, settings: Any) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 6
    receiver.down = True
    robot = Webhook.objects.create(name="物业群", kind=Webhook.Kind.DINGTALK, unit=f.UnitFactory(), url=receiver.url)
    [message] = services.notify_unit_groups(robot.unit, key="k", title="问题即将超期")
    start = clock.now()
    waits = []
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            assert services.deliver_pending() == 0
            message.refresh_from_db()
            assert message.status == Status.PENDING
            waits.append(round((message.next_attempt_at - clock.now()).total_seconds() / 60))
            assert services.deliver_pending() == 0  # not due yet: no new attempt
            traveller.move_to(message.next_attempt_at)
        services.deliver_pending()
    message.refresh_from_db()
    assert waits == [1, 2, 4, 8, 16]
    assert (message.status, message.attempts, receiver.failed_calls) == (Status.FAILED, 6, 6)
    assert "502" in message.last_error


@pytest.mark.django_db
def test_a_street_admin_retries_a_failed_message(cast: Cast, receiver: Receiver) -> None:
    robot = Webhook.objects.create(name="甲一网格群", kind=Webhook.Kind.WECOM, region=cast.grid_a, url=receiver.url)
    [message] = services.notify_region_groups(robot.region, key="k", title="t")
    Message.objects.filter(pk=message.pk).update(status=Status.FAILED, attempts=6, last_error="HTTP 502")
    with pytest.raises(PermissionDenied):
        services.retry_messages(Message.objects.all(), by=cast.admin_a)
    assert services.retry_messages(Message.objects.all(), by=cast.street_admin) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    call_command("deliver", stdout=open("/dev/null", "w"))  # noqa: SIM115
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_a_message_to_a_missing_user_fails_at_once() -> None:
    message = services.enqueue(key="k", channel=Channel.INBOX, target="999999", title="t")
    assert services.deliver(message.pk) == Status.FAILED


@pytest.mark.django_db
def test_a_robot_address_outside_the_allowed_hosts_is_never_called(settings: Any) -> None:
    settings.NOTIFY_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com"]
    message = services.enqueue(key="k", channel=Channel.WECOM, target="http://127.0.0.1:9/x", title="t")
    assert services.deliver(message.pk) == Status.FAILED
    message.refresh_from_db()
    assert "NOTIFY_WEBHOOK_HOSTS" in message.last_error


@pytest.mark.django_db
def test_e_mail_and_sms_go_out_through_django_mail_and_the_gateway(caplog: Any) -> None:
    person = f.PersonFactory(phone="13800000001")
    user = f.UserFactory(email="zhang@example.org", person=person)
    messages = services.notify_users([user], key="k", title="周排名已发布", body="请查看。",
                                     channels=[Channel.EMAIL, Channel.SMS])
    assert [m.target for m in messages] == ["zhang@example.org", "13800000001"]
    assert services.deliver_pending() == 2
    assert [(m.subject, m.to) for m in mail.outbox] == [("周排名已发布", ["zhang@example.org"])]
    assert "SMS to 13800000001: 周排名已发布 请查看。" in caplog.text


@pytest.mark.django_db
def test_a_user_reads_only_their_own_inbox() -> None:
    owner, other = f.UserFactory(), f.UserFactory()
    services.notify_users([owner], key="k", title="t")
    services.deliver_pending()
    item = queries.inbox_of(owner).get()
    assert queries.unread_count(owner) == 1
    with pytest.raises(PermissionDenied):
        services.mark_read(item, by=other)
    services.mark_read(item, by=owner)
    assert queries.unread_count(owner) == 0
    assert not queries.inbox_of(other).exists()


def test_backoff_doubles_from_one_minute() -> None:
    assert [services.backoff(n) for n in range(1, 6)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
