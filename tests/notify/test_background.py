"""Notifications never inside a request (issue 18): the embedded delivery thread, the message key
on every call, a timeout as "no answer" (tried again later, a few times, same key), the lease
that lets an interrupted send go out again at most once, and a frozen broker costing one short
timeout per commit."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from chuangcheng.core import clock
from chuangcheng.notify import services
from chuangcheng.notify.courier import courier
from chuangcheng.notify.models import Channel, InboxItem, Message, Status, Webhook
from chuangcheng.org.models import Role, Unit
from tests import factories as f
from tests.conftest import Cast
from tests.notify.conftest import Receiver, wait_for


@pytest.fixture(autouse=True)
def embedded(settings: Any) -> Iterator[None]:
    settings.REDIS_URL = ""
    settings.NOTIFY_BACKGROUND = True  # the delivery thread these tests are about
    yield
    assert courier.wait_idle(15), "the delivery thread is still busy after the test"


def _robot(receiver: Receiver, region: Any = None) -> Webhook:
    return Webhook.objects.create(name="甲一网格工作群", kind=Webhook.Kind.WECOM, region=region or f.grid(),
                                  url=receiver.url)


def _state(message: Message) -> tuple[str, int, int]:
    message.refresh_from_db()
    return message.status, message.attempts, message.unanswered


# --- the embedded delivery thread -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_answers_at_once_while_a_slow_robot_gets_its_message_afterwards_once(
    cast: Cast, as_user: Any, receiver: Receiver, settings: Any
) -> None:
    from chuangcheng.cases import services as cases
    from chuangcheng.cases.loading import load_categories
    from chuangcheng.cases.models import Case, Category

    load_categories(Category)  # a transactional test starts without the shipped categories
    settings.NOTIFY_TIMEOUTS = {**settings.NOTIFY_TIMEOUTS, "wecom": 6}
    receiver.delay = 3.0  # the robot answers after 3 s
    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street,
                            person=f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit))
    Webhook.objects.create(name="甲物业群", kind=Webhook.Kind.WECOM, unit=unit, url=receiver.url)
    case = cases.report_case(by=cast.grid_worker_a, source="inspection", category=Category.objects.get(code="XC01"),
                             description="小区门口电线杆上有小广告", grid=cast.grid_a)
    cases.accept_case(case, by=cast.street_admin)
    case.refresh_from_db()

    admin = as_user(cast.street_admin)
    assert admin.get(reverse("cases:detail", args=[case.number])).status_code == 200  # pages loaded, signed in

    started = time.monotonic()
    response = admin.post(reverse("cases:act", args=[case.number, "dispatch"]),
                          {"unit": unit.code, "version": case.version})
    took = time.monotonic() - started

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).unit == unit
    assert took < 1.5, f"the dispatch waited {took:.1f} s for the robot"
    # The handler's inbox has it already (one row, written right after commit) ...
    assert InboxItem.objects.filter(user=handler).count() == 1
    robot_message = Message.objects.get(channel=Channel.WECOM)
    # ... the robot's message goes out on the delivery thread, which is still waiting for the answer.
    wait_for(lambda: len(receiver.keys) == 1, what="the robot to be called")
    assert receiver.received == []
    assert courier.wait_idle(10)
    assert _state(robot_message) == (Status.SENT, 1, 0)
    assert len(receiver.received) == 1 and receiver.keys == [(robot_message.key, robot_message.key)]
    assert "甲物业" in receiver.received[0]["markdown"]["content"]


@pytest.mark.django_db(transaction=True)
def test_one_commit_to_many_groups_costs_the_committer_nothing_per_group(receiver: Receiver) -> None:
    """A publicity push to many groups: the commit returns at once; the thread posts to each group once."""
    receiver.delay = 0.3
    grid = f.grid()
    for number in range(6):
        Webhook.objects.create(name=f"群{number}", kind=Webhook.Kind.WECOM, region=grid, url=receiver.url)
    started = time.monotonic()
    with transaction.atomic():
        messages = services.notify_region_groups(grid, key="push:7", title="创城宣传：文明养犬")
    assert time.monotonic() - started < 0.3 * 6 / 2
    assert courier.wait_idle(10)
    assert sorted(key for key, _ in receiver.keys) == sorted(m.key for m in messages)  # each once
    assert Message.objects.filter(status=Status.SENT).count() == 6


# --- timeouts are "no answer", the key goes with every attempt --------------------------------


@pytest.mark.django_db
def test_a_robot_that_does_not_answer_in_time_is_tried_again_later_with_the_same_key_at_most_n_times(
    receiver: Receiver, settings: Any
) -> None:
    settings.NOTIFY_TIMEOUTS = {**settings.NOTIFY_TIMEOUTS, "wecom": 0.2}
    settings.NOTIFY_UNKNOWN_RETRIES = 2
    receiver.delay = 1.0  # always later than our timeout; it does post to the group each time
    robot = _robot(receiver)
    [message] = services.notify_region_groups(robot.region, key="case:CC-9:overdue:1", title="问题已超期")
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        assert services.deliver(message.pk) == Status.UNKNOWN
        assert _state(message) == (Status.UNKNOWN, 1, 1)
        assert "no answer" in message.last_error
        assert message.next_attempt_at == start + dt.timedelta(minutes=1)
        # Not due yet: the sweeper leaves it alone, the robot is not called again.
        assert services.deliver_pending() == 0 and len(receiver.keys) == 1

        traveller.move_to(message.next_attempt_at)
        assert services.deliver_pending() == 0
        assert _state(message) == (Status.UNKNOWN, 2, 2)
        traveller.move_to(message.next_attempt_at)
        assert services.deliver_pending() == 0
        # Two retries were allowed: the third unanswered send is the last, marked failed with the reason.
        assert _state(message) == (Status.FAILED, 3, 3)
        assert "可能已经送达" in message.last_error  # "may have arrived", in the office's language
        traveller.move_to(clock.now() + dt.timedelta(days=1))
        assert services.deliver_pending() == 0
    assert receiver.keys == [(message.key, message.key)] * 3


@pytest.mark.django_db
def test_a_receiver_that_records_keys_sees_the_same_key_on_a_retry(receiver: Receiver) -> None:
    robot = _robot(receiver)
    [first, second] = [services.enqueue(key=f"bulletin:2026-12-03:{n}", channel=Channel.WECOM, target=robot.url,
                                        webhook=robot, title="日通报") for n in (1, 2)]
    receiver.down = True
    assert services.deliver(first.pk) == Status.PENDING  # a 502: a plain retry
    receiver.down = False
    Message.objects.filter(pk=first.pk).update(next_attempt_at=clock.now())
    assert services.deliver_pending() == 2
    assert receiver.keys[0] == (first.key, first.key)
    assert sorted(receiver.keys[1:]) == [(first.key, first.key), (second.key, second.key)]
    assert [len(receiver.received), receiver.failed_calls] == [2, 1]


@pytest.mark.django_db
def test_a_refused_connection_is_a_plain_retry_and_a_4xx_is_permanent(receiver: Receiver, settings: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/cgi-bin/webhook/send?key=gone"
    refused = services.enqueue(key="a", channel=Channel.WECOM, target=dead, title="t")
    assert services.deliver(refused.pk) == Status.PENDING
    assert _state(refused) == (Status.PENDING, 1, 0)
    assert "not reachable" in refused.last_error

    receiver.status = 404
    gone = services.enqueue(key="b", channel=Channel.DINGTALK, target=receiver.url, title="t")
    assert services.deliver(gone.pk) == Status.FAILED
    assert _state(gone) == (Status.FAILED, 1, 0) and "HTTP 404" in gone.last_error

    receiver.status = 429  # "too many requests": come back later
    limited = services.enqueue(key="c", channel=Channel.DINGTALK, target=receiver.url, title="t")
    assert services.deliver(limited.pk) == Status.PENDING


# --- claims and leases ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_message_send_it_once(receiver: Receiver) -> None:
    from django.db import connections

    receiver.delay = 0.5
    robot = _robot(receiver)
    # Written without the hand-over after commit, so only the two workers below go for it.
    message = Message.objects.create(key="case:CC-2:dispatched:1", channel=Channel.WECOM, target=robot.url,
                                     webhook=robot, title="新问题已派遣", next_attempt_at=clock.now())
    results: list[str | None] = []

    def first_worker() -> None:
        try:
            results.append(services.deliver(message.pk))
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_worker)
    thread.start()
    wait_for(lambda: len(receiver.keys) == 1, what="the first worker to be sending")
    # A second worker (a redelivered task) and the sweeper come while the first one is sending.
    assert services.deliver(message.pk) is None
    assert services.deliver_pending() == 0
    thread.join(10)
    assert results == [Status.SENT]
    assert _state(message) == (Status.SENT, 1, 0)
    assert len(receiver.keys) == 1


@pytest.mark.django_db
def test_a_send_whose_worker_died_goes_out_again_once_after_its_lease(receiver: Receiver, settings: Any) -> None:
    settings.NOTIFY_SEND_LEASE_SECONDS = 300
    robot = _robot(receiver)
    message = services.enqueue(key="k1", channel=Channel.WECOM, target=robot.url, webhook=robot, title="t")
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        assert services._claim(message.pk, clock.now())  # a worker claims it, then is killed
        traveller.move_to(start + dt.timedelta(seconds=299))
        assert services.deliver_pending() == 0  # its lease still holds: nobody sends it
        assert receiver.keys == []
        traveller.move_to(start + dt.timedelta(seconds=300))
        assert services.deliver_pending() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.orphaned) == (Status.SENT, 2, 1)
    assert receiver.keys == [(message.key, message.key)]


@pytest.mark.django_db
def test_a_send_interrupted_twice_is_not_sent_a_third_time(receiver: Receiver) -> None:
    robot = _robot(receiver)
    message = services.enqueue(key="k2", channel=Channel.WECOM, target=robot.url, webhook=robot, title="t")
    lease = dt.timedelta(seconds=301)
    with time_machine.travel(clock.now(), tick=False) as traveller:
        assert services._claim(message.pk, clock.now())  # the first worker dies mid-send
        traveller.move_to(clock.now() + lease)
        assert services._claim(message.pk, clock.now())  # taken up again once; that worker dies too
        traveller.move_to(clock.now() + lease)
        assert services.deliver_pending() == 0
    message.refresh_from_db()
    assert (message.status, message.orphaned) == (Status.FAILED, 1)
    assert "两次中断" in message.last_error  # "interrupted twice"
    assert receiver.keys == []


# --- a frozen broker --------------------------------------------------------------------------


@pytest.fixture
def frozen_redis() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that takes connections (the kernel's backlog) and never answers:
    a Redis that hangs, not one that is down."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.mark.django_db(transaction=True)
def test_a_frozen_broker_costs_a_commit_one_short_timeout_and_the_sweeper_delivers_later(
    frozen_redis: str, receiver: Receiver, settings: Any, caplog: Any
) -> None:
    from chuangcheng.celery import app

    settings.NOTIFY_BROKER_TIMEOUT = 1
    grid = f.grid()
    for number in range(5):
        Webhook.objects.create(name=f"群{number}", kind=Webhook.Kind.WECOM, region=grid, url=receiver.url)
    user = f.UserFactory()
    saved = app.conf.broker_url
    settings.REDIS_URL = app.conf.broker_url = frozen_redis
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="chuangcheng.notify.services"), transaction.atomic():
            services.notify_region_groups(grid, key="case:CC-7:escalate:1", title="超期督办")
            services.notify_users([user], key="case:CC-7:escalate:1", title="超期督办")
        took = time.monotonic() - started
    finally:
        app.conf.broker_url = saved
    assert took < 2.5, f"the commit waited {took:.1f} s for the broker"  # one 1 s timeout, not six
    assert "6 of 6 messages left for the sweeper" in caplog.text
    assert Message.objects.filter(status=Status.PENDING, attempts=0).count() == 6
    assert receiver.keys == []

    # The sweeper (beat, or `chuangcheng deliver`) sends them without the broker.
    assert services.deliver_pending() == 6
    assert len(receiver.received) == 5 and InboxItem.objects.filter(user=user).count() == 1
