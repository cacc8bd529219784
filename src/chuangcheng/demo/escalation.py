"""Escalations that repeat until the case is fixed: the deadline sweep replayed over the demo's
history, every day at the street's reminder hour, so each case still overdue today carries its
first escalation, a reminder on every day since, 督办通知单 for the units past three working days
and this week's 约谈 list; one accepted case is referred to the district (上报) and answered.

A case's current deadline has been in force since it passed (a new deadline would have moved it),
so replaying the sweep against the cases as they stand now writes only what truly happened to the
cases still overdue; closed ones are left as they are. Nothing happens on or after the build's day;
the same history gives the same escalations (the sweep is deterministic)."""

from __future__ import annotations

import datetime as dt

from chuangcheng.cases import services
from chuangcheng.cases.models import Case, Source, State
from chuangcheng.cases.queries import overdue_q
from chuangcheng.core import clock

SWEEP_AT = dt.time(9, 0)


def add_escalations(*, seed: int = 1) -> int:
    """Run the sweep at 09:00 on every day from the oldest overdue deadline to yesterday (the history
    stops before today), then one 上报 answered by the district. Returns the reminders sent."""
    now = clock.now()
    today = clock.local(now).date()
    first = (Case.objects.filter(overdue_q(now)).order_by("deadline").values_list("deadline", flat=True).first())
    reminded = 0
    day = clock.local(first).date() if first is not None else today
    while first is not None and day < today:
        moment = clock.start_of(day) + dt.timedelta(hours=SWEEP_AT.hour, minutes=SWEEP_AT.minute)
        if moment > first:
            with clock.pinned(moment):
                reminded += services.sweep_deadlines(moment).reminded
        day += dt.timedelta(days=1)
    _refer_one(today)
    return reminded


def _refer_one(today: dt.date) -> None:
    """上报: one of the office's accepted cases goes to the district 20 minutes after its last step and
    the district's office answers it an hour later (both before today)."""
    from chuangcheng.demo.plan import DISTRICT_LOGIN, STREET_CODE
    from chuangcheng.org.models import Region, Role, User

    street = Region.objects.filter(code=STREET_CODE).select_related("parent").first()
    admin = User.objects.filter(role=Role.STREET_ADMIN, scope=street).order_by("pk").first()
    district = User.objects.filter(username=DISTRICT_LOGIN, scope__level=Region.Level.DISTRICT).first()
    if street is None or admin is None or district is None:
        return
    # One of the office's own cases (residents' reports and the mock assessment's have their own story).
    waiting = Case.objects.filter(state=State.ACCEPTED, referred_at__isnull=True, public_report__isnull=True
                                  ).exclude(source=Source.RESIDENT).exclude(
        item_results__case_opened=True, item_results__inspection__round_point__isnull=False)
    for case in waiting.order_by("reported_at", "pk"):
        last = case.events.order_by("-at", "-id").first()
        if last is None:
            continue
        referred = last.at + dt.timedelta(minutes=20)
        answered = referred + dt.timedelta(hours=1)
        if answered >= clock.start_of(today):
            continue
        with clock.pinned(referred):
            services.refer_case(case, by=admin, reason="主干道路灯整排不亮，属区级部门管理，街道无对应责任单位")
        case.refresh_from_db()
        with clock.pinned(answered):
            services.answer_referral(case, by=district, note="已转区城市管理局路灯所，请街道派至城管中队配合")
        return
