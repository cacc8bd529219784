"""The back office: robots per grid and unit, and the outbox with filters and a retry action."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chuangcheng.notify import services
from chuangcheng.notify.models import Message, Status, Webhook
from tests.conftest import Cast


@pytest.mark.django_db
def test_street_admins_filter_failed_messages_and_retry_them(cast: Cast, as_user: Any) -> None:
    [message] = services.notify_users([cast.grid_worker_a], key="k", title="失败的通知")
    Message.objects.filter(pk=message.pk).update(status=Status.FAILED, attempts=6, last_error="boom")
    client = as_user(cast.street_admin)
    page = client.get("/admin/notify/message/?status__exact=failed")
    assert page.status_code == 200
    assert "失败的通知" in page.content.decode()
    answer = client.post("/admin/notify/message/", {"action": "retry", "_selected_action": [message.pk]})
    assert answer.status_code == 302
    message.refresh_from_db()
    assert message.status == Status.PENDING


@pytest.mark.django_db
def test_community_admins_do_not_see_the_outbox_but_configure_their_robots(cast: Cast, as_user: Any,
                                                                           settings: Any) -> None:
    client = as_user(cast.admin_a)
    assert client.get("/admin/notify/message/").status_code == 403
    assert client.get("/admin/notify/webhook/add/").status_code == 200
    answer = client.post("/admin/notify/webhook/add/", {
        "name": "甲一网格工作群", "kind": "wecom", "region": cast.grid_a.pk, "unit": "",
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "secret": "", "active": "on",
    })
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Webhook.objects.get().region == cast.grid_a


def test_the_worker_command_needs_redis(settings: Any) -> None:
    settings.REDIS_URL = ""
    with pytest.raises(CommandError):
        call_command("worker")
