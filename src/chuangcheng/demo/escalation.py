"""Escalations that repeat until the case is fixed: the deadline sweep replayed over the demo's
history, every day at the street's reminder hour, so each case still overdue today carries its
first escalation, a reminder on every day since, 督办通知单 for the units past three working days
and this week's 约谈 list.

A case's current deadline has been in force since it passed (a new deadline would have moved it),
so replaying the sweep against the cases as they stand now writes only what truly happened to the
cases still overdue; closed ones are left as they are. Nothing happens after the build's moment;
the same history gives the same escalations (the sweep is deterministic)."""

from __future__ import annotations

import datetime as dt

from chuangcheng.cases import services
from chuangcheng.cases.models import Case
from chuangcheng.cases.queries import overdue_q
from chuangcheng.core import clock

SWEEP_AT = dt.time(9, 0)


def add_escalations(*, seed: int = 1) -> int:
    """Run the sweep at 09:00 on every day from the oldest overdue deadline to today (when the build
    runs after 09:00, today too). Returns the number of reminders sent."""
    now = clock.now()
    first = (Case.objects.filter(overdue_q(now)).order_by("deadline").values_list("deadline", flat=True).first())
    if first is None:
        return 0
    day = clock.local(first).date()
    reminded = 0
    while True:
        moment = clock.start_of(day) + dt.timedelta(hours=SWEEP_AT.hour, minutes=SWEEP_AT.minute)
        if moment > now:
            break
        if moment > first:
            with clock.pinned(moment):
                reminded += services.sweep_deadlines(moment).reminded
        day += dt.timedelta(days=1)
    return reminded
