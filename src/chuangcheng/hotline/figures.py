"""The hotline centre's figures of a street and its units over a period: 及时签收率, 按时办结率,
回访满意率 and 重办率, each a small function with its formula in words (as reports/rates.py), on
counts read here. `period_figures` is the one entry for the dashboards and the bulletin.

Like the case rates, each rate divides by what fell due: an order not signed by its limit, or
not finished by its date, counts against the period its deadline fell in, whether or not it was
done since."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
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
    due_sign = orders.filter(sign_due__gte=start, sign_due__lt=end)
    signed_in_time = due_sign.filter(
        Q(signed_at__isnull=False, signed_at__lte=F("sign_due"))
        | Q(signed_at__isnull=True, returned_at__isnull=False, returned_at__lte=F("sign_due")))
    due_finish = orders.filter(finish_due__gte=start, finish_due__lt=end).exclude(state=OrderState.RETURNED)
    finished_in_time = due_finish.filter(finished_at__isnull=False, finished_at__lte=F("finish_due"))
    callbacks = list(events.filter(action="callback", at__gte=start, at__lt=end).values_list("data", flat=True))
    ratings = [c.get("rating") for c in callbacks]
    counts: dict[str, Any] = {
        "received": orders.filter(received_at__gte=start, received_at__lt=end).count(),
        "due_to_sign": due_sign.count(),
        "signed_in_time": signed_in_time.count(),
        "due_to_finish": due_finish.count(),
        "finished_in_time": finished_in_time.count(),
        "finished": events.filter(action="finish", at__gte=start, at__lt=end).count(),
        "returned": events.filter(action="return_order", at__gte=start, at__lt=end).count(),
        "extensions": events.filter(action="request_extension", at__gte=start, at__lt=end).count(),
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
