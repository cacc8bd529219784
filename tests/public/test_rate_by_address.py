"""Residents' reports and SMS codes are limited per client address as well as per device: a fresh
cookie jar from the same address is no fresh allowance (issue 20)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from chuangcheng.public.models import Report
from tests.public.conftest import LAT, LON, Scene, upload


def post_report(scene: Scene, **extra: Any) -> Any:
    """A report from a browser that has never been here: a new cookie jar, so a new device."""
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans", **extra).post("/r/", {
        "category": scene.category.code, "description": "墙上贴满小广告", "lon": str(LON), "lat": str(LAT),
        "photos": [upload("red")]})


def test_a_fresh_cookie_jar_from_the_same_address_is_rate_limited(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_HOUR = 5
    settings.PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR = 2
    assert [post_report(scene).status_code for _ in range(2)] == [302, 302]
    refused = post_report(scene)
    assert refused.status_code == 429
    assert "您在短时间内提交了多条举报" in refused.content.decode()
    assert Report.objects.count() == 2


def test_another_address_keeps_its_own_allowance(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR = 1
    assert post_report(scene).status_code == 302
    assert post_report(scene).status_code == 429
    assert post_report(scene, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_reset_the_allowance(scene: Scene,
                                                                                      settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR = 1
    assert post_report(scene).status_code == 302
    assert post_report(scene, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_sms_codes_from_fresh_cookie_jars_are_limited_per_address(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_SMS_PER_HOUR = 3
    settings.PUBLIC_SMS_PER_ADDRESS_PER_HOUR = 2
    phones = ["13800138001", "13800138002", "13800138003"]
    codes = [Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post("/r/sms/", {"phone": p}).status_code for p in phones]
    assert codes == [200, 200, 429]
