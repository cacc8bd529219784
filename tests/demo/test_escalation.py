"""The demo's escalations repeat until the case is fixed: the oldest overdue case is reminded on
many days and listed on a 督办通知单; nothing went out twice on a day or in quiet hours; this week
has a 约谈 list."""

from __future__ import annotations

from collections import Counter

from chuangcheng.cases.models import Case, CaseEvent, SupervisionNotice
from chuangcheng.cases.queries import overdue_q
from chuangcheng.core import clock
from chuangcheng.demo.generator import DemoResult
from chuangcheng.notify.models import Message

LADDER = ["escalate", "remind", "supervise", "interview_list"]


def test_the_oldest_overdue_case_is_reminded_day_after_day_and_supervised(demo: DemoResult, db: None) -> None:
    now = clock.now()
    oldest = Case.objects.filter(overdue_q(now), unit__isnull=False).order_by("deadline").first()
    assert oldest is not None and oldest.deadline is not None
    assert (now - oldest.deadline).days > 14
    days = {clock.local(e.at).date() for e in CaseEvent.objects.filter(case=oldest, action="remind")}
    assert len(days) >= 10
    assert CaseEvent.objects.filter(case=oldest, action="escalate").count() == 1
    assert SupervisionNotice.objects.filter(cases=oldest).exists()


def test_nothing_was_sent_twice_on_a_day_or_in_quiet_hours(demo: DemoResult, db: None) -> None:
    events = CaseEvent.objects.filter(action__in=LADDER)
    assert events.exists()
    per_day = Counter((e.case_id, e.action, clock.local(e.at).date()) for e in events)
    assert max(per_day.values()) == 1
    for event in events:
        hour = clock.local(event.at).time()
        assert 8 <= hour.hour < 21, event
    # A reminder's text messages go to the unit's head and liaison, never more on one day.
    sms = Counter(m.key.split(":sms:")[0] for m in Message.objects.filter(key__startswith="case:",
                                                                        key__contains=":remind:", channel="sms"))
    assert sms and max(sms.values()) <= 2


def test_this_week_has_a_talk_list(demo: DemoResult, db: None) -> None:
    week = "{}-W{:02d}".format(*clock.today().isocalendar()[:2])
    listed = CaseEvent.objects.filter(action="interview_list", data__week=week)
    # The build may run on a Monday before the sweep's hour: then last week's list is the latest.
    assert listed.exists() or (clock.today().weekday() == 0
                               and CaseEvent.objects.filter(action="interview_list").exists())
