"""Pushing a message to the grids' group robots: one outbox message per robot, delivered after
commit, its status per group on the push page; refusals leave nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chuangcheng.engagement.publicity import services
from chuangcheng.engagement.publicity.models import DeliveryState, Push, PushDelivery
from chuangcheng.notify import services as notify
from chuangcheng.notify.models import Message, Status
from tests import factories as f
from tests.conftest import Cast, client_for
from tests.engagement.publicity.conftest import Receiver, jpeg, robot

NOW = "2026-11-27 10:00 +0800"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_push_reaches_each_robot_of_the_chosen_grids_and_says_so_per_group(
    cast: Cast, receiver: Receiver, django_capture_on_commit_callbacks: Any,
) -> None:
    robot(cast.grid_a, receiver.url, name="甲一网格居民群")
    with django_capture_on_commit_callbacks(execute=True):
        push = services.push_message(by=cast.street_admin, title="垃圾分类小课堂", text="厨余垃圾请沥干水分。",
                                     grids=[cast.grid_a, cast.grid_b])
    assert push.number == "XC-20261127-0001"
    assert len(receiver.received) == 1
    assert "垃圾分类小课堂" in receiver.received[0]["markdown"]["content"]
    states = {d.grid.code: d.state for d in PushDelivery.objects.filter(push=push)}
    assert states == {cast.grid_a.code: DeliveryState.SENT, cast.grid_b.code: DeliveryState.NO_GROUP}
    page = client_for(cast.street_admin).get(reverse("publicity:push", args=[push.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-grid="{cast.grid_a.code}" data-state="sent"' in html
    assert f'data-grid="{cast.grid_b.code}" data-state="no_group"' in html


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_failing_robot_is_retried_by_the_outbox_and_then_shows_the_reason(
    cast: Cast, receiver: Receiver, settings: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 2
    robot(cast.grid_a, receiver.url)
    receiver.down = True
    with django_capture_on_commit_callbacks(execute=True):
        push = services.push_message(by=cast.admin_a, title="t", text="x", grids=[cast.grid_a])
    delivery = PushDelivery.objects.select_related("message").get(push=push)
    assert delivery.state == DeliveryState.QUEUED and "502" in delivery.error
    with time_machine.travel("2026-11-27 10:05 +0800", tick=False):
        assert notify.deliver_pending() == 0
    delivery.refresh_from_db()
    delivery.message.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.message.attempts == 2
    with time_machine.travel("2026-11-27 10:06 +0800", tick=False):
        client = client_for(cast.admin_a)
        html = client.get(reverse("publicity:push", args=[push.number])).content.decode()
    assert 'data-state="failed"' in html and "HTTP 502" in html


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_community_push_goes_to_all_its_grids(cast: Cast, receiver: Receiver) -> None:
    second = f.grid(cast.community_a, code="150103001001-02", name="甲二网格")
    robot(cast.grid_a, receiver.url)
    robot(second, receiver.url)
    client = client_for(cast.admin_a)
    response = client.post(reverse("publicity:push_new"), {
        "targets": [cast.community_a.code], "title": "文明养犬", "text": "出门遛狗请牵绳。"})
    push = Push.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("publicity:push", args=[push.number])
    assert push.scope == cast.community_a
    assert sorted(push.deliveries.values_list("grid__code", flat=True)) == [cast.grid_a.code, second.code]
    assert Message.objects.filter(status=Status.PENDING).count() == 2  # delivered once the request commits


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_push_with_no_robot_in_any_chosen_grid_is_refused_and_stores_nothing(cast: Cast, media: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.push_message(by=cast.admin_a, title="t", text="x", grids=[cast.grid_a], image=jpeg())
    assert "grids" in error.value.message_dict
    assert not Push.objects.exists() and not Message.objects.exists()
    client = client_for(cast.admin_a)
    response = client.post(reverse("publicity:push_new"), {"targets": [cast.grid_a.code], "title": "t", "text": "x"})
    assert response.status_code == 400
    assert b'id="id_targets_errors"' in response.content
    assert not Push.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_grid_worker_pushes_only_to_their_own_grid(cast: Cast, receiver: Receiver) -> None:
    robot(cast.grid_a, receiver.url)
    robot(cast.grid_b, receiver.url)
    with pytest.raises(ValidationError) as error:
        services.push_message(by=cast.grid_worker_a, title="t", text="x", grids=[cast.grid_a, cast.grid_b])
    assert cast.grid_b.name in " ".join(error.value.message_dict["grids"])
    assert not Push.objects.exists()
    # The form offers only their grid; a code from elsewhere is not a valid choice.
    client = client_for(cast.grid_worker_a)
    response = client.post(reverse("publicity:push_new"), {"targets": [cast.grid_b.code], "title": "t", "text": "x"})
    assert response.status_code == 400 and not Push.objects.exists()
    assert services.push_message(by=cast.grid_worker_a, title="t", text="x", grids=[cast.grid_a]).scope == cast.grid_a


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_title_and_text_are_checked(cast: Cast, receiver: Receiver) -> None:
    robot(cast.grid_a, receiver.url)
    with pytest.raises(ValidationError) as error:
        services.push_message(by=cast.admin_a, title="  ", text="字" * 1201, grids=[])
    assert set(error.value.message_dict) == {"title", "text", "grids"}
    assert not Push.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_pushed_image_is_linked_for_the_residents_and_served_without_login(
    cast: Cast, receiver: Receiver, media: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    robot(cast.grid_a, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        push = services.push_message(by=cast.admin_a, title="海报", text="请看图", grids=[cast.grid_a],
                                     image=jpeg(), site="https://cc.example")
    link = f"https://cc.example/publicity/pushes/{push.number}/image/"
    assert link in receiver.received[0]["markdown"]["content"]
    from django.test import Client

    response = Client().get(f"/publicity/pushes/{push.number}/image/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert push.image is not None and push.image.watermark == ""  # residents see it: it names no sender
    with pytest.raises(ValidationError) as error:
        services.push_message(by=cast.admin_a, title="t", text="x", grids=[cast.grid_a],
                              image=SimpleUploadedFile("x.jpg", b"not a photo", "image/jpeg"))
    assert "image" in error.value.message_dict and Push.objects.count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_push_list_shows_only_pushes_that_reached_the_users_region(
    cast: Cast, receiver: Receiver, django_assert_max_num_queries: Any,
) -> None:
    robot(cast.grid_a, receiver.url)
    robot(cast.grid_b, receiver.url)
    for _n in range(3):
        services.push_message(by=cast.admin_b, title="乙社区通知", text="x", grids=[cast.grid_b])
    mine = services.push_message(by=cast.admin_a, title="甲社区通知", text="x", grids=[cast.grid_a])
    client = client_for(cast.admin_a)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("publicity:pushes")).content.decode()
    assert f'data-number="{mine.number}"' in html and html.count("data-number=") == 1
    assert client.get(reverse("publicity:push", args=["XC-20261127-0001"])).status_code == 404
    street = client_for(cast.street_admin).get(reverse("publicity:pushes")).content.decode()
    assert street.count("data-number=") == 4
