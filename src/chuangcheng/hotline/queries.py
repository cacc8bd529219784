"""Reads of work orders for pages and exports, already scoped to whoever asks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chuangcheng.cases.queries import cases_visible_to
from chuangcheng.core import clock
from chuangcheng.hotline import permissions
from chuangcheng.hotline.models import WorkOrder
from chuangcheng.org.models import Region
from chuangcheng.org.queries import scope_of, street_of_region


def orders_visible_to(user: Any) -> QuerySet[WorkOrder]:
    """The orders whose case the user sees (the offices and leaders: their region; a unit's
    handlers: their unit's cases in their region), for the roles that work on orders."""
    orders = WorkOrder.objects.select_related("case", "case__grid", "case__unit", "street")
    if not permissions.can_see_orders(user):
        return orders.none()
    return orders.filter(case__in=cases_visible_to(user).values("pk"))


FILTERS = ("received", "signed", "answered", "finished", "returned", "overdue_sign", "overdue_finish", "open")


def filtered(orders: QuerySet[WorkOrder], state: str) -> QuerySet[WorkOrder]:
    now = clock.now()
    if state == "overdue_sign":
        return orders.overdue_to_sign(now)  # type: ignore[attr-defined]
    if state == "overdue_finish":
        return orders.overdue_to_finish(now)  # type: ignore[attr-defined]
    if state == "open":
        return orders.open()  # type: ignore[attr-defined]
    if state in FILTERS:
        return orders.filter(state=state)
    return orders


def order_for(user: Any, number: str) -> WorkOrder | None:
    return orders_visible_to(user).filter(number=number).first()


def street_for(user: Any) -> Region | None:
    """The street whose figures and exchange a user sees (None: a superuser with several)."""
    scope = scope_of(user)
    if scope is None:
        streets = Region.objects.filter(level=Region.Level.STREET)
        return streets.first() if streets.count() == 1 else None
    return scope if scope.level == Region.Level.STREET else street_of_region(scope)
