"""The deadline a case event sets is kept on the event, and the daily rollups read it from there
instead of replaying the deadline rules (the `week` scene of tests/reports/conftest.py)."""

from __future__ import annotations

import datetime as dt
import importlib

import time_machine
from django.apps import apps

from chuangcheng.cases.models import CaseEvent
from chuangcheng.cases.services import deadline_for
from chuangcheng.reports.services.rollups import CLOCK_ACTIONS, compute_day
from tests.reports.conftest import D2, D3, D6, at

LATER = at(D6 + dt.timedelta(days=3), 12)


def test_every_event_that_sets_the_clock_records_the_deadline_it_set(week):
    c1 = week.cases["C1"]
    c1.refresh_from_db()
    events = list(CaseEvent.objects.filter(case=c1, action__in=CLOCK_ACTIONS).order_by("at", "id"))
    assert [e.action for e in events] == ["dispatch", "reopen"]
    assert events[0].deadline == deadline_for(c1.category, c1.severity, events[0].at)
    assert events[-1].deadline == c1.deadline
    c3 = week.cases["C3"]
    c3.refresh_from_db()
    sent_back = CaseEvent.objects.get(case=c3, action="send_back")
    assert sent_back.deadline is None  # the clock stopped


def test_the_rollups_read_past_deadlines_from_the_events_not_from_the_rules(week, monkeypatch):
    def replayed(*args, **kwargs):
        raise AssertionError("the rollups replayed a deadline rule")

    monkeypatch.setattr("chuangcheng.cases.services.deadline_for", replayed)
    monkeypatch.setattr("chuangcheng.core.workcal.deadline", replayed)
    street = week.cast.street
    with time_machine.travel(LATER, tick=False):
        assert compute_day(D2, street).regions[street.pk]["cases_overdue"] == 1
        assert compute_day(D3, street).regions[street.pk]["cases_overdue"] == 0


def test_the_backfill_gives_older_events_what_their_rows_say_without_replaying_rules(week):
    events = list(CaseEvent.objects.filter(action__in=CLOCK_ACTIONS).order_by("at", "id"))
    recorded = {e.pk: e.deadline for e in events}
    last = {e.case_id: e.pk for e in events}  # each case's last clock event
    assert any(deadline is not None for deadline in recorded.values())
    CaseEvent.objects.update(deadline=None)  # as events written before the column was
    backfill = importlib.import_module("chuangcheng.cases.migrations.0010_backfill_event_deadlines")
    backfill.fill(apps, None)
    filled = dict(CaseEvent.objects.filter(action__in=CLOCK_ACTIONS).values_list("pk", "deadline"))
    for e in events:
        if e.pk in last.values() or e.action == "grant_extension":
            assert filled[e.pk] == recorded[e.pk], e.action  # the case's deadline, or the time granted
        else:
            assert filled[e.pk] is None, e.action  # not worked out again from today's rules
