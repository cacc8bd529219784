"""签收 reminders: the hotline centre scores 及时签收率, so an order nobody has signed for is not left
to be noticed on the list. Once the street's warning share of the 签收 window has passed (the
escalation rules' percentage, 80 % by default) the street office and, where the case already has
one, its unit's handlers get one reminder; when the limit has passed, one more. In their inbox at
any hour, by SMS only outside the street's quiet hours (a reminder held back by quiet hours goes by
SMS at the first sweep after them, if the order is still not signed for). Each reminder is keyed,
so running the sweep again sends nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from chuangcheng.cases.escalation import Ladder, sms
from chuangcheng.core import clock
from chuangcheng.hotline.models import OrderState, WorkOrder
from chuangcheng.notify import services as notify
from chuangcheng.org.models import Region, Role, User


def stage(order: WorkOrder, now: dt.datetime, fraction: float) -> str:
    """"" (nothing due yet), "warn" (the warning share of the window has passed) or "overdue"."""
    if order.state != OrderState.RECEIVED:
        return ""
    if now > order.sign_due:
        return "overdue"
    warn_at = order.received_at + (order.sign_due - order.received_at) * fraction
    return "warn" if now >= warn_at else ""


def _offices() -> list[Any]:
    """The street offices' admins (not the district's), read once a sweep."""
    admins = (User.objects.filter(role=Role.STREET_ADMIN, is_active=True, scope__isnull=False)
              .exclude(scope__level=Region.Level.DISTRICT).select_related("scope", "person").order_by("pk"))
    return list(admins)


def _signers(order: WorkOrder, offices: list[Any]) -> list[Any]:
    """Who may sign the order for: the office over its case's grid, and its unit's handlers."""
    grid_path = order.case.grid.path
    office = [user for user in offices if grid_path.startswith(user.scope.path)]
    handlers: list[Any] = []
    if order.case.unit_id is not None:
        handlers = list(User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, person__unit=order.case.unit_id)
                        .select_related("person").order_by("pk"))
    return office + handlers


def remind_to_sign(now: dt.datetime | None = None) -> int:
    """Send the 签收 reminders that are due; returns how many orders were reminded about."""
    now = now or clock.now()
    ladder = Ladder(now)
    orders = (WorkOrder.objects.filter(state=OrderState.RECEIVED)
              .select_related("case__grid", "case__unit").order_by("sign_due", "pk"))
    reminded = 0
    offices: list[Any] | None = None
    for order in orders:
        grid = order.case.grid
        step = stage(order, now, ladder.rules(grid).warn_percent / 100)
        if not step:
            continue
        if offices is None:
            offices = _offices()
        users = _signers(order, offices)
        if not users:
            continue
        due = clock.local(order.sign_due)
        values = {"number": order.number, "due": f"{due:%m-%d %H:%M}"}
        if step == "overdue":
            title = _("12345 work order %(number)s is past its sign-for limit (%(due)s): sign for it now") % values
        else:
            title = _("12345 work order %(number)s must be signed for by %(due)s") % values
        key = f"hotline:{order.number}:sign:{step}"
        body = order.request[:200]
        link = reverse("hotline:detail", args=[order.number])
        notify.notify_users(users, key=key, title=title, body=body, link=link)
        if ladder.may_send(grid):
            sms(key, [user.person.phone for user in users if user.person is not None], title, body)
        reminded += 1
    return reminded
