"""The overdue sweep: a reminder from the working day before the deadline, escalation (督办) once the
deadline has passed; each once per task however often the job runs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from chuangcheng.core import jobs
from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.jobs import SWEEP_TASKS
from chuangcheng.notify.models import Channel, Message
from tests.engagement.tasklists.conftest import CST, a_task, photo


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=CST)


def test_it_reminds_once_the_day_before_and_escalates_once_after_the_deadline(scene):
    task = a_task(scene, due_on=dt.date(2026, 11, 27))  # a Friday
    assert services.sweep_tasks(at(25)) == services.SweepResult(warned=0, escalated=0)
    assert services.sweep_tasks(at(26)) == services.SweepResult(warned=1, escalated=0)
    assert services.sweep_tasks(at(26, 15)) == services.SweepResult(warned=0, escalated=0)
    assert services.sweep_tasks(at(27, 23)) == services.SweepResult(warned=0, escalated=0)  # due today: not late
    assert services.sweep_tasks(at(28, 0)) == services.SweepResult(warned=0, escalated=1)
    assert services.sweep_tasks(at(29)) == services.SweepResult(warned=0, escalated=0)
    assert [e.action for e in task.events.order_by("at", "id")] == ["create", "warn", "escalate"]
    escalation = Message.objects.filter(key__startswith=f"task:{task.number}:escalate")
    assert escalation.filter(channel=Channel.INBOX, target=str(scene.cast.street_admin.pk)).exists()
    assert escalation.filter(channel=Channel.INBOX, target=str(scene.handler_a.pk)).exists()
    assert escalation.filter(channel=Channel.SMS, target=scene.property_a.head_phone).exists()
    assert Message.objects.filter(key__startswith=f"task:{task.number}:warn",
                                  target=str(scene.handler_a.pk)).count() == 1


def test_a_submitted_task_is_neither_reminded_nor_escalated(scene):
    task = a_task(scene, due_on=dt.date(2026, 11, 27))
    services.submit_task(task, by=scene.handler_a, photos=[photo(scene.handler_a)])
    assert services.sweep_tasks(at(30)) == services.SweepResult(warned=0, escalated=0)


def test_the_reminder_skips_the_weekend(scene):
    a_task(scene, due_on=dt.date(2026, 11, 30))  # a Monday: reminded on Friday
    assert services.sweep_tasks(at(26)).warned == 0
    assert services.sweep_tasks(at(27)).warned == 1


def test_the_sweep_runs_under_serve_and_under_celery_beat():
    assert SWEEP_TASKS in jobs._JOBS
    assert SWEEP_TASKS in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
