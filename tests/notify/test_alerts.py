"""Alerts about the outbox: failed messages reach the admins of the street whose robot failed and
the operators, once per new failure and at most once an hour; a backlog is told once an hour."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail

from chuangcheng.core import clock
from chuangcheng.notify import alerts, services
from chuangcheng.notify.models import Channel, InboxItem, Message, Status, Webhook
from chuangcheng.org.models import Role
from tests import factories as f
from tests.conftest import Cast


@pytest.fixture(autouse=True)
def embedded(settings: Any) -> None:
    settings.REDIS_URL = ""
    settings.OPERATOR_EMAILS = ["ops@example.gov.cn"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]


def failed_robot_message(webhook: Webhook, n: int) -> Message:
    return Message.objects.create(
        key=f"case:CC-{n}:dispatched:robot", channel=webhook.kind, target=webhook.url, webhook=webhook,
        title="新的整改任务", status=Status.FAILED, attempts=6, next_attempt_at=clock.now(),
        last_error="HTTP 404: invalid webhook url",
    )


def deliver_everything() -> None:
    services.deliver_pending()


def inbox_of(user: Any) -> list[InboxItem]:
    return list(InboxItem.objects.filter(user=user).order_by("pk"))


@pytest.mark.django_db
def test_a_failed_robot_message_is_told_to_its_streets_admins_and_the_operators(cast: Cast) -> None:
    other_street = f.street(cast.district, code="150103002", name="中山西路街道")
    other_admin = f.UserFactory(username="other_admin", role=Role.STREET_ADMIN, scope=other_street)
    robot = Webhook.objects.create(name="甲一网格工作群", kind=Webhook.Kind.WECOM, region=cast.grid_a,
                                   url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
    failed_robot_message(robot, 1)

    assert alerts.check_outbox()["failed"] == 2  # the street's admin, the operator
    deliver_everything()

    [item] = inbox_of(cast.street_admin)
    assert item.title == "1 条通知发送失败"
    assert "甲一网格工作群" in item.body and "invalid webhook url" in item.body
    assert inbox_of(other_admin) == []  # not their street's robot
    [email] = mail.outbox
    assert email.to == ["ops@example.gov.cn"] and "甲一网格工作群" in email.body


@pytest.mark.django_db
def test_the_same_failures_are_told_once_and_new_ones_after_an_hour(cast: Cast) -> None:
    robot = Webhook.objects.create(name="甲一网格工作群", kind=Webhook.Kind.WECOM, region=cast.grid_a,
                                   url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
    failed_robot_message(robot, 1)
    start = clock.now()
    alerts.check_outbox(start)
    assert alerts.check_outbox(start + dt.timedelta(minutes=5))["failed"] == 0  # nothing new

    failed_robot_message(robot, 2)
    assert alerts.check_outbox(start + dt.timedelta(minutes=10))["failed"] == 0  # new, but within the hour
    with time_machine.travel(start + dt.timedelta(minutes=70), tick=False):
        assert alerts.check_outbox()["failed"] == 2
        deliver_everything()
    assert [i.title for i in inbox_of(cast.street_admin)] == ["1 条通知发送失败", "2 条通知发送失败"]


@pytest.mark.django_db
def test_a_backlog_is_told_to_every_street_office_and_the_operators_once_an_hour(cast: Cast, settings: Any) -> None:
    settings.READYZ_OUTBOX_STALE_SECONDS = 900
    now = clock.now()
    Message.objects.create(key="case:CC-9:dispatched:inbox", channel=Channel.INBOX, target=str(cast.leader.pk),
                           title="x", next_attempt_at=now - dt.timedelta(minutes=40))
    assert alerts.check_outbox(now)["backlog"] == 2
    assert alerts.check_outbox(now + dt.timedelta(minutes=1))["backlog"] == 0
    alerted = Message.objects.filter(key__startswith="alert:backlog:")
    assert sorted(alerted.values_list("channel", "target")) == [("email", "ops@example.gov.cn"),
                                                                 ("inbox", str(cast.street_admin.pk))]
    assert set(alerted.values_list("title", flat=True)) == {"通知发送延迟：1 条等待发送"}


@pytest.mark.django_db
def test_a_healthy_outbox_alerts_nobody(cast: Cast) -> None:
    now = clock.now()
    Message.objects.create(key="case:CC-9:dispatched:inbox", channel=Channel.INBOX, target=str(cast.leader.pk),
                           title="x", next_attempt_at=now - dt.timedelta(minutes=1))
    assert alerts.check_outbox(now) == {"failed": 0, "backlog": 0}
    assert not Message.objects.filter(key__startswith="alert:").exists()


@pytest.mark.django_db
def test_failed_alerts_do_not_alert_about_themselves(cast: Cast, settings: Any) -> None:
    Message.objects.create(key="alert:failed:ops:ops@example.gov.cn:upto1", channel=Channel.EMAIL,
                           target="ops@example.gov.cn", title="x", status=Status.FAILED, next_attempt_at=clock.now())
    assert alerts.check_outbox() == {"failed": 0, "backlog": 0}
