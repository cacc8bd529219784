"""The deadline sweep: a warning once 80 % of the working time is used, escalation (督办) to the
unit's head once overdue; each exactly once however often the sweep runs."""

from __future__ import annotations

import datetime as dt
import logging

import time_machine
from django.conf import settings
from django.core.management import call_command

from chuangcheng.cases import services
from chuangcheng.cases.models import Case, CaseEvent, State
from chuangcheng.cases.workflow import CASES, EVENT_LABELS, NOTE_ACTIONS
from chuangcheng.core import clock, jobs
from chuangcheng.notify.models import Channel, InboxItem, Message, Webhook
from chuangcheng.notify.services import deliver_pending
from chuangcheng.org.models import Role
from tests import factories as f
from tests.cases.conftest import dispatched, photo

CST = dt.timezone(dt.timedelta(hours=8))
# A Monday morning in office hours, far from holidays. One working day (the category's limit)
# runs to Tuesday 17:30: 13.5 working hours, 80 % of them used on Tuesday at 14:48.
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=CST)
TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def at(moment: dt.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def sweep(moment: dt.datetime) -> services.SweepResult:
    with at(moment):
        return services.sweep_deadlines()


def dispatched_at(scene, moment: dt.datetime) -> Case:
    with at(moment):
        return dispatched(scene)


def messages(case: Case, kind: str) -> list[Message]:
    return list(Message.objects.filter(key__startswith=f"case:{case.number}:{kind}:").order_by("key"))


def test_the_unit_is_warned_once_when_80_percent_of_the_time_is_used(scene):
    robot = Webhook.objects.create(name="甲物业群", kind=Webhook.Kind.WECOM, unit=scene.unit,
                                   url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    case = dispatched_at(scene, MONDAY)
    assert clock.local(case.warn_at) == dt.datetime(2026, 11, 24, 14, 48, tzinfo=CST)

    assert sweep(MONDAY.replace(hour=16, minute=24)) == services.SweepResult(warned=0, escalated=0)  # 40 %
    case.refresh_from_db()
    assert case.warned_at is None and messages(case, "warn") == []

    assert sweep(TUESDAY.replace(hour=15, minute=29)) == services.SweepResult(warned=1, escalated=0)  # 85 %
    case.refresh_from_db()
    assert case.warned_at is not None
    warned = messages(case, "warn")
    assert {(m.channel, m.target) for m in warned} == {
        (Channel.INBOX, str(scene.handler.pk)), (Channel.WECOM, robot.url)}
    assert "2026-11-24 17:30" in warned[0].title

    assert sweep(TUESDAY.replace(hour=16)) == services.SweepResult(warned=0, escalated=0)
    assert messages(case, "warn") == warned
    Webhook.objects.filter(pk=robot.pk).update(active=False)
    with at(TUESDAY.replace(hour=16)):
        deliver_pending()
    [item] = InboxItem.objects.filter(user=scene.handler, message__in=warned)
    assert case.number in item.title


def test_the_warning_moment_skips_national_day(scene):
    case = dispatched_at(scene, dt.datetime(2026, 9, 30, 9, 0, tzinfo=CST))
    # 30 September, then 1–7 October are holidays: the one working day ends on 8 October.
    assert clock.local(case.deadline) == dt.datetime(2026, 10, 8, 17, 30, tzinfo=CST)
    assert clock.local(case.warn_at) == dt.datetime(2026, 10, 8, 14, 48, tzinfo=CST)
    assert sweep(dt.datetime(2026, 10, 6, 12, 0, tzinfo=CST)).warned == 0
    assert sweep(dt.datetime(2026, 10, 8, 9, 0, tzinfo=CST)).warned == 0
    assert sweep(dt.datetime(2026, 10, 8, 15, 0, tzinfo=CST)).warned == 1


def test_an_overdue_case_is_escalated_to_the_units_head_once(scene, caplog):
    other_street = f.street(scene.cast.district, code="150103002", name="别的街道")
    stranger = f.UserFactory(username="other_street_admin", role=Role.STREET_ADMIN, scope=other_street)
    scene.unit.head_phone = "13800000001"
    scene.unit.save()
    case = dispatched_at(scene, MONDAY)

    assert sweep(WEDNESDAY) == services.SweepResult(warned=0, escalated=1)
    assert sweep(WEDNESDAY + dt.timedelta(hours=1)) == services.SweepResult(warned=0, escalated=0)
    # The next day brings the ladder's daily reminder (tests/cases/test_escalation_ladder.py), not a
    # second escalation.
    assert sweep(WEDNESDAY + dt.timedelta(days=1)) == services.SweepResult(warned=0, escalated=0, reminded=1)

    case.refresh_from_db()
    assert case.escalated_at == WEDNESDAY and case.state == State.DISPATCHED
    assert case.warned_at is not None  # no late "due soon" after the escalation
    [event] = CaseEvent.objects.filter(case=case, action="escalate")
    assert (event.actor, event.actor_name, event.from_state, event.to_state) == (
        None, "system", State.DISPATCHED, State.DISPATCHED)
    assert event.data == {"deadline": case.deadline.isoformat(), "unit": "WY-A"}
    assert event.at == WEDNESDAY

    escalated = messages(case, "escalate")
    assert sorted((m.channel, m.target) for m in escalated) == sorted([
        (Channel.SMS, "13800000001"),
        (Channel.INBOX, str(scene.cast.street_admin.pk)),
        (Channel.INBOX, str(scene.handler.pk)),
    ])
    assert str(stranger.pk) not in {m.target for m in escalated}
    assert str(scene.cast.admin_a.pk) not in {m.target for m in escalated}
    assert messages(case, "warn") == []

    with caplog.at_level(logging.WARNING, logger="chuangcheng.notify.channels"), at(WEDNESDAY):
        deliver_pending()
    assert any("SMS to 13800000001" in r.getMessage() and case.number in r.getMessage() for r in caplog.records)
    [item] = InboxItem.objects.filter(user=scene.cast.street_admin)
    assert case.number in item.title


def test_a_unit_without_a_heads_phone_is_escalated_without_sms(scene):
    scene.unit.head_phone = ""
    scene.unit.save()
    case = dispatched_at(scene, MONDAY)
    assert sweep(WEDNESDAY).escalated == 1
    assert Channel.SMS not in {m.channel for m in messages(case, "escalate")}
    assert Message.objects.filter(channel=Channel.INBOX, target=str(scene.cast.street_admin.pk)).count() == 1


def test_a_suspended_case_is_not_escalated(scene):
    case = dispatched_at(scene, MONDAY)
    with at(MONDAY.replace(hour=10)):
        services.suspend_case(case, by=scene.cast.street_admin, reason="等待产权单位确认")
    assert sweep(WEDNESDAY + dt.timedelta(days=7)) == services.SweepResult(warned=0, escalated=0)
    case.refresh_from_db()
    assert case.escalated_at is None and case.warned_at is None
    assert not CaseEvent.objects.filter(case=case, action="escalate").exists()
    assert messages(case, "escalate") == []


def test_a_granted_extension_brings_fresh_warnings(scene):
    case = dispatched_at(scene, MONDAY)
    assert sweep(TUESDAY.replace(hour=15)).warned == 1
    friday = MONDAY.replace(day=27, hour=17, minute=30)
    with at(TUESDAY.replace(hour=16)):
        services.request_extension(case, by=scene.handler, until=friday, reason="需要协调电力公司")
        services.decide_extension(case, by=scene.cast.street_admin, grant=True)
    case.refresh_from_db()
    assert case.deadline == friday and case.warned_at is None
    assert case.warn_at > TUESDAY.replace(hour=16)

    # The old deadline passes without an escalation; the new clock warns again, once.
    assert sweep(WEDNESDAY) == services.SweepResult(warned=0, escalated=0)
    assert sweep(case.warn_at - dt.timedelta(minutes=1)).warned == 0
    assert sweep(case.warn_at + dt.timedelta(minutes=1)).warned == 1
    assert sweep(case.warn_at + dt.timedelta(minutes=2)).warned == 0
    inbox = [m for m in messages(case, "warn") if m.channel == Channel.INBOX]
    assert len(inbox) == 2
    assert sorted("2026-11-27 17:30" in m.title for m in inbox) == [False, True]
    # And once the new deadline has passed too, it is escalated.
    assert sweep(friday + dt.timedelta(minutes=1)).escalated == 1


def test_the_sweep_does_not_make_a_handlers_action_fail(scene):
    case = dispatched_at(scene, MONDAY)
    seen = Case.objects.get(pk=case.pk)  # the handler's page, read before the sweep
    assert sweep(WEDNESDAY).escalated == 1
    case.refresh_from_db()
    assert case.version == seen.version and case.escalated_at is not None
    with at(WEDNESDAY + dt.timedelta(minutes=5)):
        CASES.check(case, "rectify", by=scene.handler, version=seen.version)
        services.rectify_case(seen, by=scene.handler, photos=[photo(scene.handler)])
    case.refresh_from_db()
    assert case.state == State.RECTIFIED
    assert sweep(WEDNESDAY + dt.timedelta(days=1)).escalated == 0


def test_the_sweep_runs_in_the_embedded_scheduler_and_in_celery_beat(scene):
    from chuangcheng.cases import tasks
    from chuangcheng.celery import app

    case = dispatched_at(scene, MONDAY)
    with at(WEDNESDAY):
        results = jobs.run_periodic_jobs()
    assert results["cases.sweep_deadlines"] == services.SweepResult(warned=0, escalated=1)
    case.refresh_from_db()
    assert case.escalated_at is not None

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.SWEEP_DEADLINES]
    assert entry["schedule"] == 300.0
    assert tasks.SWEEP_DEADLINES in app.tasks
    with at(WEDNESDAY + dt.timedelta(minutes=5)):
        assert tasks.sweep_case_deadlines.apply().get() == {"warned": 0, "escalated": 0}


def test_the_command_reports_what_it_did(scene, capsys):
    dispatched_at(scene, MONDAY)
    with at(WEDNESDAY):
        call_command("sweep_deadlines")
    assert "1" in capsys.readouterr().out
    assert CaseEvent.objects.filter(action="escalate").count() == 1


def test_every_event_action_has_a_timeline_label():
    written = {name for t in CASES.transitions for name in t.event_actions}
    # Written outside the state machine: the report that opens a case, and a problem list's
    # stricter deadline (services.hold_to_deadline).
    assert set(EVENT_LABELS) == written | {"report", "set_deadline"} | NOTE_ACTIONS


def test_cases_beyond_one_batch_are_all_swept(scene, monkeypatch):
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    cases = [dispatched_at(scene, MONDAY) for _ in range(5)]
    assert sweep(TUESDAY.replace(hour=15)).warned == 5
    assert sweep(WEDNESDAY).escalated == 5
    assert CaseEvent.objects.filter(action="escalate", case__in=cases).count() == 5
