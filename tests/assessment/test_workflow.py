"""The round's lifecycle: drawn → started → finished (or cancelled while drawn). A round cannot be
started twice, every point needs an assessor to start and a record to finish, and only the street
admin moves it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from chuangcheng.assessment import services
from chuangcheng.assessment.models import RoundEvent
from chuangcheng.core.workflow import Conflict, TransitionNotAllowed
from tests.assessment.conftest import record


def test_a_round_cannot_be_started_twice(scene, as_user):
    round = scene.draw()
    services.start_round(round, by=scene.cast.street_admin)
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as info:
        services.start_round(round, by=scene.cast.street_admin)
    assert "已开始" in str(info.value) and "不能" in str(info.value)
    assert RoundEvent.objects.filter(round=round, action="start").count() == 1
    # The page says it too, and changes nothing.
    response = as_user(scene.cast.street_admin).post(
        f"/assessment/{round.street.code}/{round.number}/act/start/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "不能" in response.content.decode()
    assert RoundEvent.objects.filter(round=round, action="start").count() == 1


def test_a_stale_page_cannot_start_the_round(scene):
    round = scene.draw()
    with pytest.raises(Conflict):
        services.start_round(round, by=scene.cast.street_admin, version=round.version + 1)


def test_every_point_needs_an_assessor_before_the_start(scene):
    round = scene.draw()
    services.assign_points(round, by=scene.cast.street_admin, assessors={2: None})
    with pytest.raises(TransitionNotAllowed):
        services.start_round(round, by=scene.cast.street_admin)


def test_only_the_street_admin_starts_finishes_or_cancels(scene):
    round = scene.draw()
    for user in (scene.inspector_1, scene.cast.leader, scene.cast.admin_a):
        with pytest.raises(PermissionDenied):
            services.start_round(round, by=user)
        with pytest.raises(PermissionDenied):
            services.cancel_round(round, by=user)


def test_points_are_recorded_while_the_round_runs_by_their_assessor(scene):
    round = scene.draw()
    rp = round.points.order_by("position").first()
    with pytest.raises(ValidationError):
        record(rp, scene)
    services.start_round(round, by=scene.cast.street_admin)
    other = scene.inspector_2 if rp.assessor == scene.inspector_1 else scene.inspector_1
    with pytest.raises(PermissionDenied):
        record(rp, scene, by=other)
    inspection = record(rp, scene)
    assert inspection.kind == "street"
    rp.refresh_from_db()
    assert rp.inspection == inspection and rp.recorded_at is not None
    assert record(rp, scene) == inspection, "a retried submission links the same inspection"


def test_a_round_is_finished_only_when_every_point_is_recorded(scene):
    round = scene.draw()
    services.start_round(round, by=scene.cast.street_admin)
    points = list(round.points.order_by("position"))
    record(points[0], scene)
    with pytest.raises(TransitionNotAllowed):
        services.finish_round(round, by=scene.cast.street_admin)
    for rp in points[1:]:
        record(rp, scene)
    services.finish_round(round, by=scene.cast.street_admin)
    assert round.state == "finished" and round.report["overall"]["rate"] == "100.0"
    with pytest.raises(TransitionNotAllowed):
        services.cancel_round(round, by=scene.cast.street_admin)


def test_a_covert_team_records_covert_inspections(scene):
    round = services.draw_round(scene.cast.street, by=scene.cast.street_admin, seed=3, team=[scene.inspector_1],
                                team_kind="covert")
    services.start_round(round, by=scene.cast.street_admin)
    assert record(round.points.first(), scene).kind == "covert"
