"""A task from assignment to verification: progress with photos, submission with evidence, the
street office verifying or sending back, each step one immutable event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core.workflow import Conflict, TransitionNotAllowed
from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.models import Task, TaskEvent, TaskState
from chuangcheng.notify.models import InboxItem, Message
from tests.engagement.tasklists.conftest import WEDNESDAY, a_task, photo


def test_a_new_task_is_numbered_open_and_its_unit_hears_of_it(scene):
    task = a_task(scene)
    assert task.number == "RW-20261125-0001"
    assert task.state == TaskState.OPEN
    assert a_task(scene).number == "RW-20261125-0002"
    assert [e.action for e in task.events.all()] == ["create"]
    targets = set(Message.objects.filter(key__startswith=f"task:{task.number}:create").values_list("target", flat=True))
    assert str(scene.handler_a.pk) in targets
    assert str(scene.squad_handler.pk) not in targets


def test_the_unit_reports_progress_submits_and_the_office_verifies_on_time(scene, wednesday):
    task = a_task(scene)
    services.post_progress(task, by=scene.handler_a, note="清理了一半", percent=50, photos=[photo(scene.handler_a)])
    task.refresh_from_db()
    assert (task.state, task.percent) == (TaskState.IN_PROGRESS, 50)
    wednesday.shift(dt.timedelta(days=1))
    services.submit_task(task, by=scene.handler_a, note="已全部清理", photos=[photo(scene.handler_a, "blue")])
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED
    assert InboxItem.objects.filter(user=scene.cast.street_admin).exists() or Message.objects.filter(
        key__startswith=f"task:{task.number}:submit", target=str(scene.cast.street_admin.pk)).exists()
    wednesday.shift(dt.timedelta(days=3))  # verified after the deadline, but it was submitted in time
    services.verify_task(task, by=scene.cast.street_admin)
    task.refresh_from_db()
    assert task.state == TaskState.DONE
    assert task.on_time is True
    assert task.completed_at == WEDNESDAY + dt.timedelta(days=1)
    assert task.verified_by == scene.cast.street_admin
    events = list(task.events.order_by("at", "id"))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("create", "", "open"), ("progress", "open", "in_progress"), ("submit", "in_progress", "submitted"),
        ("verify", "submitted", "done")]
    assert events[1].photos.count() == 1 and events[1].percent == 50


def test_a_task_submitted_after_its_deadline_is_done_late(scene, wednesday):
    task = a_task(scene, due_on=dt.date(2026, 11, 25))
    wednesday.shift(dt.timedelta(days=1))
    services.submit_task(task, by=scene.handler_a, photos=[photo(scene.handler_a)])
    services.verify_task(task, by=scene.cast.street_admin)
    task.refresh_from_db()
    assert task.on_time is False


def test_sent_back_goes_to_work_again_with_the_reason(scene):
    task = a_task(scene)
    services.submit_task(task, by=scene.handler_a, photos=[photo(scene.handler_a)])
    services.send_back_task(task, by=scene.cast.street_admin, reason="楼道东侧还有堆物")
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS
    assert task.sent_back_count == 1 and task.submitted_at is None
    assert task.events.last().note == "楼道东侧还有堆物"
    assert Message.objects.filter(key__startswith=f"task:{task.number}:send_back",
                                  target=str(scene.handler_a.pk)).exists()


def test_submitting_without_evidence_is_refused_and_nothing_changes(scene):
    task = a_task(scene)
    with pytest.raises(ValidationError) as exc:
        services.submit_task(task, by=scene.handler_a, photos=[])
    assert "photos" in exc.value.message_dict
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and task.version == 1
    assert task.events.count() == 1


def test_a_task_without_evidence_required_may_be_submitted_without_photos(scene):
    task = a_task(scene, evidence_required=False)
    services.submit_task(task, by=scene.handler_a)
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED


def test_progress_on_a_closed_task_is_refused(scene):
    task = a_task(scene)
    services.cancel_task(task, by=scene.cast.street_admin, reason="已并入其他任务")
    with pytest.raises(TransitionNotAllowed):
        services.post_progress(task, by=scene.handler_a, note="继续", percent=10)
    assert TaskEvent.objects.filter(task=task).count() == 2


def test_another_unit_may_not_work_on_the_task(scene):
    task = a_task(scene)
    with pytest.raises(PermissionDenied):
        services.post_progress(task, by=scene.squad_handler, note="代为处理", percent=10)
    services.submit_task(task, by=scene.handler_a, photos=[photo(scene.handler_a)])
    with pytest.raises(PermissionDenied):
        services.verify_task(task, by=scene.handler_a)


def test_the_office_that_submitted_cannot_verify_its_own_submission(scene):
    task = a_task(scene)
    services.submit_task(task, by=scene.cast.street_admin, photos=[photo(scene.cast.street_admin)])
    with pytest.raises(PermissionDenied):
        services.verify_task(task, by=scene.cast.street_admin)


def test_a_stale_version_is_a_conflict(scene):
    task = a_task(scene)
    stale = Task.objects.get(pk=task.pk)
    services.post_progress(task, by=scene.handler_a, note="开始", percent=10)
    with pytest.raises(Conflict):
        services.post_progress(stale, by=scene.handler_a, note="再报", percent=20)


def test_events_are_append_only(scene):
    event = a_task(scene).events.get()
    event.note = "改写"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
