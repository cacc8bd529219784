"""The hotline's interface through the reference adapter, against a fake server on loopback that
fails and is slow: orders pulled once, our steps pushed once, through an outage."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangcheng.core import clock
from chuangcheng.hotline import exchange, services
from chuangcheng.hotline.models import ExchangeLog, OrderSource, Push, PushState, WorkOrder
from tests.hotline.fake_hotline import FakeHotline

pytestmark = pytest.mark.django_db


def order(number: str, **kw):
    received = clock.local(clock.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    return {"number": number, "received_at": received.isoformat(), "sign_due": (received + dt.timedelta(hours=2))
            .isoformat(), "finish_due": (received + dt.timedelta(days=3)).isoformat(), "request": "路灯不亮",
            "category": "", "caller": {"name": "赵六", "phone": "13700001234"}, "address": "甲街5号", **kw}


@pytest.fixture
def hotline(scene, settings):
    with FakeHotline() as fake:
        settings.HOTLINE_URL = fake.url
        settings.HOTLINE_TOKEN = "secret-token"
        settings.HOTLINE_RETRIES = 3
        settings.HOTLINE_BACKOFF_SECONDS = 0
        settings.HOTLINE_TIMEOUT = 1
        settings.HOTLINE_STREET = scene.cast.street.code
        yield fake


def test_orders_are_pulled_once_through_an_outage(scene, hotline):
    hotline.orders = [order("12345-0001"), order("12345-0002", lon=111.700, lat=40.820)]
    hotline.fail_next = 3  # every try of the first run
    first = exchange.pull_orders()
    assert first.failed and WorkOrder.objects.count() == 0
    failure = ExchangeLog.objects.get(kind="pull", ok=False)
    assert (failure.status, failure.attempts) == (500, 3)
    hotline.fail_next = 2  # the next run gets through on its third try
    second = exchange.pull_orders()
    assert (second.created, second.failed) == (2, False)
    third = exchange.pull_orders()
    assert third.created == 0
    assert WorkOrder.objects.filter(source=OrderSource.API).count() == 2
    assert WorkOrder.objects.get(number="12345-0002").case.grid == scene.cast.grid_b
    assert set(hotline.tokens) == {"Bearer secret-token"}
    assert "since=" in hotline.requests[-1][1]  # asks only for what came after the last order


def test_a_bad_order_is_logged_and_the_others_are_taken(scene, hotline):
    hotline.orders = [order("12345-0003"), order("", request="")]
    result = exchange.pull_orders()
    assert (result.created, result.refused) == (1, 1)
    assert ExchangeLog.objects.filter(kind="pull", ok=False).count() == 1


def _signed_and_answered(scene):
    pulled, _ = services.receive_order(services.Incoming(number="12345-0009", request="井盖缺失",
                                                         received_at=clock.now()),
                                       street=scene.cast.street, source=OrderSource.API)
    services.sign_order(pulled, by=scene.cast.street_admin)
    services.answer_order(pulled, by=scene.cast.street_admin, answer="已补装井盖")
    return pulled


def test_steps_are_pushed_once_each_through_an_outage(scene, hotline):
    _signed_and_answered(scene)
    assert Push.objects.filter(state=PushState.PENDING).count() == 2
    hotline.fail_next = 6  # both pushes fail all three tries
    result = exchange.push_pending()
    assert (result.sent, result.waiting) == (0, 2)
    assert hotline.steps == {}
    # Too early for the next attempt: nothing is tried.
    assert exchange.push_pending().sent == 0
    later = clock.now() + dt.timedelta(minutes=10)
    result = exchange.push_pending(now=later)
    assert result.sent == 2
    paths = sorted(path for path, _body in hotline.steps.values())
    assert paths == ["/orders/12345-0009/answer", "/orders/12345-0009/sign"]
    answer = next(body for path, body in hotline.steps.values() if path.endswith("answer"))
    assert answer["answer"] == "已补装井盖"
    assert exchange.push_pending(now=later + dt.timedelta(hours=1)).sent == 0
    assert len(hotline.steps) == 2


def test_a_lost_answer_is_retried_with_the_same_key_and_the_step_is_not_taken_twice(scene, hotline):
    _signed_and_answered(scene)
    hotline.lose_next = 1  # the sign is taken, its answer lost; the retry's key is known: 409
    result = exchange.push_pending()
    assert result.sent == 2
    assert len(hotline.steps) == 2
    posts = [path for method, path in hotline.requests if method == "POST"]
    assert posts.count("/orders/12345-0009/sign") == 2


def test_a_slow_hotline_times_out_and_the_step_waits(scene, hotline):
    _signed_and_answered(scene)
    hotline.slow = 1.5
    result = exchange.push_pending()
    assert (result.sent, result.waiting) == (0, 2)
    assert "timed out" in Push.objects.first().last_error
    hotline.slow = 0
    assert exchange.push_pending(now=clock.now() + dt.timedelta(minutes=10)).sent == 2


def test_orders_from_excel_are_not_pushed(scene, hotline):
    excel, _ = services.receive_order(services.Incoming(number="GD-X", request="噪音扰民", received_at=clock.now()),
                                      street=scene.cast.street, source=OrderSource.EXCEL)
    services.sign_order(excel, by=scene.cast.street_admin)
    assert Push.objects.count() == 0
