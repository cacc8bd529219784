"""The demo has about 40 12345 work orders over its eight weeks in every state, each on a hotline
case, with figures the hotline page and the bulletin can show."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangcheng.cases.models import Source
from chuangcheng.core import clock
from chuangcheng.demo.generator import DemoResult
from chuangcheng.hotline.figures import period_figures
from chuangcheng.hotline.models import Callback, ExtensionState, OrderState, WorkOrder, WorkOrderEvent
from chuangcheng.org.models import Region, User
from tests.conftest import client_for


@pytest.fixture
def orders(demo: DemoResult, db: None) -> list[WorkOrder]:
    return list(WorkOrder.objects.select_related("case"))


def test_the_demo_has_about_forty_orders_over_eight_weeks(orders: list[WorkOrder]) -> None:
    assert 35 <= len(orders) <= 45
    first = min(o.received_at for o in orders)
    assert clock.now() - first > dt.timedelta(weeks=7)
    assert all(o.case.source == Source.HOTLINE for o in orders)


def test_the_demo_orders_are_in_every_state(orders: list[WorkOrder]) -> None:
    now = clock.now()
    assert {o.state for o in orders} == set(OrderState.values)
    assert {o.callback for o in orders} >= {Callback.SATISFIED, Callback.BASIC}
    assert any(o.redo_count for o in orders)
    assert WorkOrderEvent.objects.filter(action="callback", data__rating=Callback.UNSATISFIED).exists()
    assert {o.extension for o in orders} >= {ExtensionState.GRANTED, ExtensionState.REFUSED}
    assert any(e.data.get("on_time") is False for e in WorkOrderEvent.objects.filter(action="sign"))
    assert any(o.is_overdue_to_sign(now) for o in orders)
    assert any(o.is_overdue_to_finish(now) for o in orders)


def test_the_demo_figures_are_neither_empty_nor_perfect(orders: list[WorkOrder]) -> None:
    street = Region.objects.get(code="150103001")
    figures = period_figures(street, clock.today() - dt.timedelta(weeks=8), clock.today())
    rates = figures["rates"]
    for name in ("timely_signing", "on_time_finishing", "satisfaction"):
        assert rates[name] is not None and 0 < rates[name] < 100, name
    assert rates["redo"] is not None and rates["redo"] > 0
    assert figures["units"]


def test_the_street_admin_sees_the_hotline_page(orders: list[WorkOrder]) -> None:
    page = client_for(User.objects.get(username="street_admin")).get("/hotline/?state=overdue_finish")
    assert page.status_code == 200
    assert "按时办结率" in page.content.decode()
