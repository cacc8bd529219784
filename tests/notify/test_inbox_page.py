"""The inbox page (站内消息): own messages only, unread count in the top bar, opening marks read
and follows only links inside the site, mark all read, the unread filter."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chuangcheng.notify import services
from chuangcheng.notify.models import InboxItem
from tests.conftest import Cast

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def embedded(settings: Any) -> None:
    settings.REDIS_URL = ""


def send(user: Any, key: str, title: str, *, body: str = "", link: str = "") -> InboxItem:
    """Through the real path: the outbox, then delivery (the sweeper, as the test transaction
    never commits)."""
    services.notify_users([user], key=key, title=title, body=body, link=link)
    services.deliver_pending()
    return InboxItem.objects.get(user=user, title=title)


def unread_in_top_bar(body: str) -> int | None:
    found = re.search(r'<span class="unread-count">(\d+)</span>', body)
    return int(found.group(1)) if found else None


def articles(body: str) -> list[str]:
    return re.findall(r'<article class="panel inbox-item[^"]*".*?</article>', body, re.S)


def test_a_user_sees_only_their_own_messages_newest_first(cast: Cast, as_user: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI), tick=False):
        send(cast.grid_worker_a, "case:GM-1:dispatched", "新的整改任务 GM-1", body="第一行\n第二行",
             link="/cases/GM-1/")
    with time_machine.travel(dt.datetime(2026, 3, 3, 14, 5, tzinfo=SHANGHAI), tick=False):
        send(cast.grid_worker_a, "case:GM-2:escalated", "督办 GM-2")
        send(cast.admin_b, "case:GM-9:dispatched", "别人的消息 GM-9", link="/cases/GM-9/")

    body = as_user(cast.grid_worker_a).get(reverse("notify:inbox")).content.decode()

    shown = articles(body)
    assert len(shown) == 2
    assert "督办 GM-2" in shown[0] and "新的整改任务 GM-1" in shown[1]
    assert "2026-03-03 14:05" in shown[0] and "2026-03-02 09:30" in shown[1]  # local time
    assert "<p>第一行<br>第二行</p>" in shown[1]
    assert reverse("notify:open", args=[InboxItem.objects.get(title="新的整改任务 GM-1").code]) in shown[1]
    assert "别人的消息" not in body


def test_the_top_bar_counts_unread_messages(cast: Cast, as_user: Any) -> None:
    client = as_user(cast.grid_worker_a)
    assert unread_in_top_bar(client.get(reverse("web:home")).content.decode()) is None
    send(cast.grid_worker_a, "a", "一")
    first = send(cast.grid_worker_a, "b", "二")
    send(cast.admin_a, "c", "别人的")
    body = client.get(reverse("web:home")).content.decode()
    assert unread_in_top_bar(body) == 2
    assert 'class="visually-hidden"> ' in body.split('class="unread-count"')[1][:80]
    services.mark_read(first, by=cast.grid_worker_a)
    assert unread_in_top_bar(client.get(reverse("web:home")).content.decode()) == 1


def test_unread_messages_carry_a_text_badge(cast: Cast, as_user: Any) -> None:
    read = send(cast.grid_worker_a, "a", "读过的")
    send(cast.grid_worker_a, "b", "没读的")
    services.mark_read(read, by=cast.grid_worker_a)
    shown = articles(as_user(cast.grid_worker_a).get(reverse("notify:inbox")).content.decode())
    badges = {("没读的" in a): ('class="badge' in a) for a in shown}
    assert badges == {True: True, False: False}


def test_opening_marks_read_and_goes_to_the_case(cast: Cast, as_user: Any) -> None:
    item = send(cast.grid_worker_a, "case:GM-1:rework", "返工 GM-1", link="/cases/GM-1/")
    client = as_user(cast.grid_worker_a)
    response = client.post(reverse("notify:open", args=[item.code]))
    assert response.status_code == 302 and response["Location"] == "/cases/GM-1/"
    item.refresh_from_db()
    assert item.read_at is not None
    assert unread_in_top_bar(client.get(reverse("notify:inbox")).content.decode()) is None


def test_opening_is_a_post_only(cast: Cast, as_user: Any) -> None:
    item = send(cast.grid_worker_a, "a", "一", link="/cases/GM-1/")
    assert as_user(cast.grid_worker_a).get(reverse("notify:open", args=[item.code])).status_code == 405
    item.refresh_from_db()
    assert item.unread


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/cases/", "/\\evil.example/",
                                  "javascript:alert(1)"])
def test_an_off_site_link_is_not_followed(cast: Cast, as_user: Any, link: str) -> None:
    item = send(cast.grid_worker_a, "a", "钓鱼", link=link)
    response = as_user(cast.grid_worker_a).post(reverse("notify:open", args=[item.code]))
    assert response.status_code == 302 and response["Location"] == reverse("notify:inbox")
    item.refresh_from_db()
    assert item.read_at is not None


def test_another_users_message_is_not_found(cast: Cast, as_user: Any) -> None:
    theirs = send(cast.admin_b, "a", "别人的", link="/cases/GM-9/")
    response = as_user(cast.grid_worker_a).post(reverse("notify:open", args=[theirs.code]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.unread


def test_mark_all_as_read_touches_only_my_messages(cast: Cast, as_user: Any) -> None:
    send(cast.grid_worker_a, "a", "一")
    send(cast.grid_worker_a, "b", "二")
    theirs = send(cast.admin_b, "c", "别人的")
    client = as_user(cast.grid_worker_a)
    response = client.post(reverse("notify:read_all"))
    assert response.status_code == 302 and response["Location"] == reverse("notify:inbox")
    assert not InboxItem.objects.filter(user=cast.grid_worker_a, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.unread
    body = client.get(reverse("notify:inbox")).content.decode()
    assert unread_in_top_bar(body) is None
    assert reverse("notify:read_all") not in body  # nothing left to mark


def test_the_unread_filter_and_the_empty_state(cast: Cast, as_user: Any) -> None:
    client = as_user(cast.grid_worker_a)
    assert 'class="empty"' in client.get(reverse("notify:inbox")).content.decode()
    read = send(cast.grid_worker_a, "a", "读过的")
    send(cast.grid_worker_a, "b", "没读的")
    services.mark_read(read, by=cast.grid_worker_a)

    shown = articles(client.get(reverse("notify:inbox") + "?unread=1").content.decode())
    assert len(shown) == 1 and "没读的" in shown[0]
    assert len(articles(client.get(reverse("notify:inbox")).content.decode())) == 2

    services.mark_all_read(cast.grid_worker_a)
    body = client.get(reverse("notify:inbox") + "?unread=1").content.decode()
    assert articles(body) == [] and 'class="empty"' in body


def test_the_inbox_is_paginated(cast: Cast, as_user: Any) -> None:
    for n in range(25):
        send(cast.grid_worker_a, f"k{n}", f"消息{n:02d}")
    client = as_user(cast.grid_worker_a)
    first = client.get(reverse("notify:inbox")).content.decode()
    second = client.get(reverse("notify:inbox") + "?page=2").content.decode()
    assert len(articles(first)) == 20 and len(articles(second)) == 5


def test_the_inbox_is_in_the_menu(cast: Cast, as_user: Any) -> None:
    body = as_user(cast.grid_worker_a).get(reverse("web:home")).content.decode()
    menu = body.split('<nav aria-label=')[1].split("</nav>")[0]
    assert f'href="{reverse("notify:inbox")}"' in menu


def test_signing_in_is_required(db: None, client: Any) -> None:
    response = client.get(reverse("notify:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
