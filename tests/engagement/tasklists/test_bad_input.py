"""Bad input to task and meeting creation: a clear error on the field, nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.models import Meeting, Task
from tests import factories as f
from tests.engagement.tasklists.conftest import WEDNESDAY, a_task


def errors_of(scene, **kw):
    with pytest.raises(ValidationError) as exc:
        a_task(scene, **kw)
    assert not Task.objects.exists()
    return exc.value.message_dict


def test_a_deadline_in_the_past_is_refused(scene):
    assert "due_on" in errors_of(scene, due_on=dt.date(2026, 11, 24))


def test_a_unit_of_another_community_does_not_serve_the_scope(scene):
    errors = errors_of(scene, regions=[scene.cast.community_b])
    assert "unit" in errors and "乙社区" in errors["unit"][0]


def test_a_point_outside_the_units_community_is_refused_too(scene):
    point_b = f.PointFactory(code="B-1", name="乙广场", grid=scene.cast.grid_b, primary_unit=scene.squad)
    assert "unit" in errors_of(scene, regions=[], points=[point_b])


def test_a_person_of_another_unit_is_refused(scene):
    assert "person" in errors_of(scene, person=scene.squad_handler.person)


def test_a_region_of_another_street_is_refused(scene):
    elsewhere = f.community(f.street(scene.cast.district))
    assert "regions" in errors_of(scene, regions=[elsewhere])


def test_working_days_skip_the_weekend(scene):
    task = a_task(scene, due_on=None, working_days=3)  # Wed + 3 working days: Mon 30 Nov
    assert task.due_on == dt.date(2026, 11, 30)


def test_a_date_and_working_days_at_once_are_refused(scene):
    assert "due_on" in errors_of(scene, working_days=2)


def test_only_the_street_office_assigns(scene):
    with pytest.raises(PermissionDenied):
        a_task(scene, by=scene.cast.admin_a)
    assert not Task.objects.exists()


def test_a_meeting_in_the_future_is_refused(scene):
    with pytest.raises(ValidationError) as exc:
        services.record_meeting(by=scene.cast.street_admin, street=scene.cast.street,
                                held_at=WEDNESDAY + dt.timedelta(hours=2), title="推进会", place="会议室",
                                chair="主任")
    assert "held_at" in exc.value.message_dict
    assert not Meeting.objects.exists()


def test_a_meeting_is_recorded_with_numbered_decisions(scene):
    meeting = services.record_meeting(
        by=scene.cast.street_admin, street=scene.cast.street, held_at=WEDNESDAY - dt.timedelta(hours=1),
        title="第12周创城推进会", place="街道三楼会议室", chair="街道创城办主任", units=[scene.property_a, scene.squad],
        decisions=["清理楼道堆物", "", "整治占道经营"])
    assert meeting.number == "HY-20261125-01"
    assert [(d.position, d.text) for d in meeting.decisions.all()] == [(1, "清理楼道堆物"), (2, "整治占道经营")]
    task = a_task(scene, decision=meeting.decisions.get(position=1))
    assert task.meeting == meeting
