"""The hotline centre's figures of a street and its units over a period: 及时签收率, 按时办结率,
回访满意率 and 重办率, each a small function with its formula in words (as reports/rates.py), on
counts read here. `period_figures` is the one entry for the dashboards and the bulletin.

Like the case rates, each rate divides by what fell due: an order not signed by its limit, or
not finished by its date, counts against the period its deadline fell in, whether or not it was
done since."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock
from chuangcheng.hotline.models import Callback, OrderState, WorkOrder, WorkOrderEvent
from chuangcheng.org.models import Region


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def timely_signing(signed_in_time: int, due_to_sign: int) -> float | None:
    """及时签收率: orders signed for (or returned) by their 签收 limit ÷ orders whose 签收 limit fell
    in the period. One never signed counts against."""
    return _pct(signed_in_time, due_to_sign)


def on_time_finishing(finished_in_time: int, due_to_finish: int) -> float | None:
    """按时办结率: orders finished by their 办结 date (moved by a granted extension) ÷ orders whose 办结
    date fell in the period, returned orders left out (they were not ours to finish)."""
    return _pct(finished_in_time, due_to_finish)


def satisfaction(satisfied: int, basic: int, rated: int) -> float | None:
    """回访满意率: callbacks 满意 or 基本满意 ÷ callbacks recorded in the period (an order redone and
    called back again counts each time)."""
    return _pct(satisfied + basic, rated)


def redo(redone: int, finished: int) -> float | None:
    """重办率: callbacks 不满意 (each sends the order back to be handled again) ÷ orders finished in
    the period."""
    return _pct(redone, finished)


FORMULAS = {
    "timely_signing": _("signed for by the limit ÷ orders whose signing limit fell in the period"),
    "on_time_finishing": _("finished by the date ÷ orders whose finishing date fell in the period (returned left out)"),
    "satisfaction": _("satisfied and basically satisfied ÷ callbacks in the period"),
    "redo": _("unsatisfied callbacks (redone) ÷ orders finished in the period"),
}


LABELS = {
    "timely_signing": _("timely signing rate"),
    "on_time_finishing": _("on-time finishing rate"),
    "satisfaction": _("callback satisfaction rate"),
    "redo": _("redo rate"),
}


def _counts(orders: QuerySet[WorkOrder], events: QuerySet[WorkOrderEvent], start: dt.datetime,
            end: dt.datetime) -> dict[str, Any]:
    """Three queries: the orders' counts, the events' counts and the callbacks' ratings."""
    due_sign = Q(sign_due__gte=start, sign_due__lt=end)
    signed_in_time = due_sign & (
        Q(signed_at__isnull=False, signed_at__lte=F("sign_due"))
        | Q(signed_at__isnull=True, returned_at__isnull=False, returned_at__lte=F("sign_due")))
    due_finish = Q(finish_due__gte=start, finish_due__lt=end) & ~Q(state=OrderState.RETURNED)
    finished_in_time = due_finish & Q(finished_at__isnull=False, finished_at__lte=F("finish_due"))
    of_orders = orders.order_by().aggregate(
        received=Count("pk", filter=Q(received_at__gte=start, received_at__lt=end)),
        due_to_sign=Count("pk", filter=due_sign), signed_in_time=Count("pk", filter=signed_in_time),
        due_to_finish=Count("pk", filter=due_finish), finished_in_time=Count("pk", filter=finished_in_time))
    in_period = events.order_by().filter(at__gte=start, at__lt=end)
    of_events = in_period.aggregate(
        finished=Count("pk", filter=Q(action="finish")), returned=Count("pk", filter=Q(action="return_order")),
        extensions=Count("pk", filter=Q(action="request_extension")))
    callbacks = list(in_period.filter(action="callback").values_list("data", flat=True))
    ratings = [c.get("rating") for c in callbacks]
    counts: dict[str, Any] = {
        "received": of_orders["received"],
        "due_to_sign": of_orders["due_to_sign"],
        "signed_in_time": of_orders["signed_in_time"],
        "due_to_finish": of_orders["due_to_finish"],
        "finished_in_time": of_orders["finished_in_time"],
        "finished": of_events["finished"],
        "returned": of_events["returned"],
        "extensions": of_events["extensions"],
        "rated": len(ratings),
        "satisfied": ratings.count(Callback.SATISFIED),
        "basic": ratings.count(Callback.BASIC),
        "unsatisfied": ratings.count(Callback.UNSATISFIED),
    }
    counts["rates"] = {
        "timely_signing": timely_signing(counts["signed_in_time"], counts["due_to_sign"]),
        "on_time_finishing": on_time_finishing(counts["finished_in_time"], counts["due_to_finish"]),
        "satisfaction": satisfaction(counts["satisfied"], counts["basic"], counts["rated"]),
        "redo": redo(counts["unsatisfied"], counts["finished"]),
    }
    return counts


def period_totals(street: Region, since: dt.date, until: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The street's counts and rates over `since`..`until` (as `period_figures`, without the units):
    what a dashboard shows, in a fixed number of queries."""
    now = now or clock.now()
    start = clock.day_bounds(since)[0]
    end = min(clock.day_bounds(until)[1], now)
    return _counts(WorkOrder.objects.filter(street=street), WorkOrderEvent.objects.filter(order__street=street),
                   start, end)


def period_figures(street: Region, since: dt.date, until: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The street's counts and rates over `since`..`until` (local dates, both included, the end cut
    at `now`), and the same per unit of the orders' cases (units first by name; orders not yet
    dispatched under "units": none). JSON-able: the bulletin stores it."""
    now = now or clock.now()
    start = clock.day_bounds(since)[0]
    end = min(clock.day_bounds(until)[1], now)
    orders = WorkOrder.objects.filter(street=street)
    events = WorkOrderEvent.objects.filter(order__street=street)
    total = _counts(orders, events, start, end)
    units = []
    unit_rows = (orders.exclude(case__unit=None).values_list("case__unit", "case__unit__name").distinct()
                 .order_by("case__unit__name"))
    for unit_id, name in unit_rows:
        units.append({"unit": unit_id, "name": name,
                      **_counts(orders.filter(case__unit=unit_id), events.filter(order__case__unit=unit_id),
                                start, end)})
    return {"street": street.code, "since": since.isoformat(), "until": until.isoformat(), **total, "units": units,
            "open": orders.open().count(), "overdue_to_sign": orders.overdue_to_sign(now).count(),
            "overdue_to_finish": orders.overdue_to_finish(now).count()}
