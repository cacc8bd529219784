"""Who sees which meetings and tasks."""

from __future__ import annotations

import datetime as dt

from chuangcheng.engagement.tasklists import permissions, queries, services
from chuangcheng.org.models import Role
from tests import factories as f
from tests.engagement.tasklists.conftest import WEDNESDAY, a_task


def numbers(user):
    return set(queries.tasks_visible_to(user).values_list("title", flat=True))


def test_each_role_sees_its_own_part_of_the_task_list(scene):
    c = scene.cast
    a_task(scene, title="甲", regions=[c.community_a])
    a_task(scene, title="乙", unit=scene.squad, regions=[c.community_b])
    a_task(scene, title="甲点位", unit=scene.squad, regions=[], points=[scene.point_a])
    a_task(scene, title="全街", unit=scene.squad, regions=[])
    assert numbers(c.street_admin) == numbers(c.leader) == {"甲", "乙", "甲点位", "全街"}
    assert numbers(c.admin_a) == {"甲", "甲点位"}
    assert numbers(c.admin_b) == {"乙"}
    assert numbers(c.grid_worker_a) == {"甲点位"}  # community-wide tasks are not the grid's own
    assert numbers(scene.handler_a) == {"甲"}
    assert numbers(scene.squad_handler) == {"乙", "甲点位", "全街"}
    other_street_admin = f.UserFactory(username="other", role=Role.STREET_ADMIN, scope=f.street(c.district))
    assert numbers(other_street_admin) == set()


def test_community_admins_read_their_streets_meetings_and_units_those_they_attended(scene):
    c = scene.cast
    meeting = services.record_meeting(by=c.street_admin, street=c.street, held_at=WEDNESDAY - dt.timedelta(hours=2),
                                      title="推进会", place="会议室", chair="主任", units=[scene.squad])
    assert queries.meeting_for(c.admin_a, meeting.number) == meeting
    assert queries.meeting_for(scene.squad_handler, meeting.number) == meeting
    assert queries.meeting_for(scene.handler_a, meeting.number) is None
    assert not permissions.can_record_meeting(c.admin_a, c.street)
    assert permissions.can_record_meeting(c.street_admin, c.street)


def test_the_actions_offered_follow_role_and_state(scene):
    c = scene.cast
    task = a_task(scene)
    assert permissions.allowed_actions(scene.handler_a, task) == ["progress", "submit"]
    assert permissions.allowed_actions(c.street_admin, task) == ["progress", "submit", "cancel"]
    assert permissions.allowed_actions(c.admin_a, task) == []
    assert permissions.allowed_actions(c.leader, task) == []


def test_a_units_handler_scoped_in_a_community_sees_none_of_the_units_work_elsewhere(scene, client):
    c = scene.cast
    in_a = a_task(scene, title="甲", unit=scene.squad, regions=[c.community_a])
    in_b = a_task(scene, title="乙", unit=scene.squad, regions=[c.community_b])
    person = f.PersonFactory(code="H-CG-A", name="甲社区城管", region=c.community_a, unit=scene.squad)
    handler = f.UserFactory(username="squad_a", role=Role.UNIT_HANDLER, scope=c.community_a, person=person)
    assert numbers(handler) == {"甲"}
    assert queries.task_for(handler, in_b.number) is None
    assert queries.task_for(handler, in_a.number) == in_a
    client.force_login(handler)
    assert client.get(f"/api/tasks/{in_b.number}").status_code == 404
