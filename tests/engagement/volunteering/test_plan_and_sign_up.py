"""Planning an action and taking a place in it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core.models import AuditEvent
from chuangcheng.engagement.volunteering import services
from chuangcheng.engagement.volunteering.models import Action, Attendance
from tests.engagement.volunteering.conftest import END, PLANNED_AT, START, at, plan


def test_a_community_admin_plans_an_action_with_a_number_and_the_grid_of_its_place(cast):
    action = plan(cast)
    assert action.code == "ZY-20261121-01"
    assert action.status == Action.Status.PLANNED
    assert action.grid == cast.grid_a
    assert action.organizer == cast.admin_a
    assert AuditEvent.objects.filter(object_key=action.code, action=AuditEvent.Action.CREATE).exists()
    assert plan(cast).code == "ZY-20261121-02"


def test_a_community_admin_cannot_plan_in_another_community(cast):
    with pytest.raises(PermissionDenied):
        plan(cast, community=cast.community_b, lon=111.70)
    assert not Action.objects.exists()


def test_a_volunteer_cannot_plan(cast, crew):
    with pytest.raises(PermissionDenied):
        plan(cast, by=crew.v1)


def test_planning_refuses_a_place_outside_china_and_a_time_already_over(cast):
    with pytest.raises(ValidationError) as exc:
        plan(cast, lon=2.35, lat=48.85)  # Paris
    assert "location" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        plan(cast, starts_at=PLANNED_AT - dt.timedelta(days=2), ends_at=PLANNED_AT - dt.timedelta(days=1))
    assert "ends_at" in exc.value.message_dict
    assert not Action.objects.exists()


def test_a_volunteer_signs_up_and_cancels_before_the_start(cast, crew, action):
    with at(PLANNED_AT):
        row = services.sign_up(action, by=crew.v1)
        assert row.person == crew.v1.person and row.active
        with pytest.raises(ValidationError, match="已报名"):
            services.sign_up(action, by=crew.v1)
        services.cancel_sign_up(action, by=crew.v1)
    row.refresh_from_db()
    assert row.cancelled_at is not None
    with at(PLANNED_AT + dt.timedelta(hours=1)):
        again = services.sign_up(action, by=crew.v1)
    assert again.pk == row.pk and again.active


def test_a_full_action_refuses_one_more_and_keeps_the_others(cast, crew):
    action = plan(cast, capacity=2)
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
        services.sign_up(action, by=crew.v2)
        with pytest.raises(ValidationError) as exc:
            services.sign_up(action, by=crew.v3)
    assert "2" in exc.value.messages[0]
    assert Attendance.objects.filter(action=action, cancelled_at__isnull=True).count() == 2
    assert not Attendance.objects.filter(person=crew.v3.person).exists()


def test_a_sign_up_cannot_be_cancelled_after_the_start(cast, crew, action):
    with at(PLANNED_AT):
        services.sign_up(action, by=crew.v1)
    with at(START + dt.timedelta(minutes=5)), pytest.raises(ValidationError):
        services.cancel_sign_up(action, by=crew.v1)
    with at(START + dt.timedelta(minutes=5)), pytest.raises(ValidationError):
        services.sign_up(action, by=crew.v2)
    assert Attendance.objects.get(action=action).active


def test_a_login_without_a_person_cannot_sign_up(cast, action):
    with at(PLANNED_AT), pytest.raises(PermissionDenied):
        services.sign_up(action, by=cast.admin_a)


def test_the_organizer_cancels_with_a_reason(cast, crew, action):
    with at(PLANNED_AT):
        with pytest.raises(ValidationError):
            services.cancel_action(action, by=cast.admin_a, reason=" ")
        with pytest.raises(PermissionDenied):
            services.cancel_action(action, by=crew.v1, reason="下雨")
        services.cancel_action(action, by=cast.admin_a, reason="大风预警")
    action.refresh_from_db()
    assert action.status == Action.Status.CANCELLED and action.cancel_reason == "大风预警"
    with at(START), pytest.raises(ValidationError):
        services.sign_up(action, by=crew.v1)
    assert END > START
