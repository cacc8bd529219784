"""The WeCom and DingTalk group-robot formats, DingTalk signing and robot configuration."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from chuangcheng.notify import channels, queries, services
from chuangcheng.notify.models import Message, Status, Webhook
from tests.conftest import Cast
from tests.notify.conftest import Receiver


def test_dingtalk_signing_follows_the_documented_recipe() -> None:
    url = channels.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECxyz",
                                       timestamp_ms=1700000000000)
    query = parse_qs(urlsplit(url).query)
    expected = base64.b64encode(
        hmac.new(b"SECxyz", b"1700000000000\nSECxyz", hashlib.sha256).digest()
    ).decode()
    assert query["access_token"] == ["abc"]
    assert query["timestamp"] == ["1700000000000"]
    assert query["sign"] == [expected]


def test_robot_bodies_follow_the_wecom_and_dingtalk_formats() -> None:
    message = Message(title="问题已超期", body="请尽快整改", payload={"link": "https://cc.example/c/1",
                                                                 "mention_mobiles": ["13900000000"]})
    assert channels.wecom_body(message) == {
        "msgtype": "text",
        "text": {"content": "问题已超期\n请尽快整改", "mentioned_mobile_list": ["13900000000"]},
    }
    ding = channels.dingtalk_body(message)
    assert ding["msgtype"] == "markdown"
    assert ding["markdown"]["title"] == "问题已超期"
    assert "[https://cc.example/c/1](https://cc.example/c/1)" in ding["markdown"]["text"]
    assert ding["at"] == {"atMobiles": ["13900000000"], "isAtAll": False}
    long = Message(title="t", body="字" * 5000, payload={})
    assert len(channels.wecom_body(long)["markdown"]["content"].encode()) <= 4096


@pytest.mark.django_db
def test_a_signed_dingtalk_robot_is_called_with_timestamp_and_sign(cast: Cast, receiver: Receiver) -> None:
    robot = Webhook.objects.create(name="甲社区群", kind=Webhook.Kind.DINGTALK, region=cast.community_a,
                                   url=receiver.url, secret="SECret")
    [message] = services.notify_region_groups(robot.region, key="k", title="t")
    assert services.deliver(message.pk) == Status.SENT
    query = parse_qs(urlsplit(receiver.paths[0]).query)
    assert set(query) == {"key", "timestamp", "sign"}


@pytest.mark.django_db
def test_only_active_robots_of_the_region_are_posted_to(cast: Cast, receiver: Receiver) -> None:
    Webhook.objects.create(name="on", kind=Webhook.Kind.WECOM, region=cast.grid_a, url=receiver.url)
    Webhook.objects.create(name="off", kind=Webhook.Kind.WECOM, region=cast.grid_a, url=receiver.url, active=False)
    Webhook.objects.create(name="other", kind=Webhook.Kind.WECOM, region=cast.grid_b, url=receiver.url)
    assert len(services.notify_region_groups(cast.grid_a, key="k", title="t")) == 1


@pytest.mark.django_db
def test_a_robot_belongs_to_a_region_or_a_unit_and_calls_only_allowed_hosts(cast: Cast, settings: Any) -> None:
    settings.NOTIFY_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com"]
    both_missing = Webhook(name="x", kind=Webhook.Kind.WECOM, url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    with pytest.raises(ValidationError) as error:
        both_missing.full_clean()
    assert "region" in error.value.message_dict
    elsewhere = Webhook(name="x", kind=Webhook.Kind.WECOM, region=cast.grid_a, url="https://evil.example/hook")
    with pytest.raises(ValidationError) as error:
        elsewhere.full_clean()
    assert "url" in error.value.message_dict


@pytest.mark.django_db
def test_admins_see_the_robots_of_their_scope_only(cast: Cast) -> None:
    mine = Webhook.objects.create(name="a", kind=Webhook.Kind.WECOM, region=cast.grid_a, url="https://h/a")
    Webhook.objects.create(name="b", kind=Webhook.Kind.WECOM, region=cast.grid_b, url="https://h/b")
    assert list(queries.webhooks_visible_to(cast.admin_a)) == [mine]
    assert queries.webhooks_visible_to(cast.street_admin).count() == 2
    assert not queries.messages_visible_to(cast.admin_a).exists()
