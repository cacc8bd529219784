"""The demo's meetings and task lists, on a small subdistrict of its own (not the whole demo): weekly
meetings, tasks played through the services, most done on time, some late, a few open and overdue
now; nothing at or after midnight; one seed, one history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chuangcheng.core import clock
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.tasklists import add_tasklists
from chuangcheng.engagement.tasklists.models import Meeting, Task, TaskCounter, TaskEvent, TaskState
from chuangcheng.org.models import Role, Unit
from tests import factories as f


@pytest.fixture
def small_street(db: None, media: Any) -> None:
    street = f.street(code=STREET_CODE, name="演示街道")
    community = f.community(street, name="演示社区", boundary=f.square(111.65, 40.82, 0.01))
    grid = f.grid(community, name="演示网格", boundary=f.square(111.65, 40.82, 0.004))
    f.UserFactory(username="street_admin", role=Role.STREET_ADMIN, scope=street)
    for code, name, kind, region in [("CG-DEMO", "城管中队", Unit.Kind.CITY_MANAGEMENT, street),
                                     ("WY-DEMO", "演示物业", Unit.Kind.PROPERTY, community),
                                     ("HW-DEMO", "环卫所", Unit.Kind.SANITATION, street)]:
        unit = f.UnitFactory(code=code, name=name, kind=kind, region=region)
        person = f.PersonFactory(code=f"P-{code}", name=f"{name}经办人", region=street, unit=unit)
        f.UserFactory(username=f"unit_handler_{code}", role=Role.UNIT_HANDLER, scope=street, person=person)
    f.PointFactory(code="PT-DEMO", name="演示小区", grid=grid, primary_unit=Unit.objects.get(code="WY-DEMO"))


NOW = clock.local(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC))  # Friday 10:00 local


def history() -> list[Any]:
    return [
        list(Meeting.objects.order_by("number").values_list("number", "held_at", "title")),
        list(Task.objects.order_by("number").values_list("number", "title", "unit__code", "due_on", "state",
                                                         "on_time", "priority")),
        list(TaskEvent.objects.order_by("task__number", "at", "id").values_list("task__number", "action", "at")),
    ]


def test_the_demo_task_lists_are_played_through_the_services(small_street: None) -> None:
    made = add_tasklists(seed=2, weeks=4, now=NOW)
    assert made == Task.objects.count() >= 8
    assert Meeting.objects.count() == 4
    states = set(Task.objects.values_list("state", flat=True))
    assert TaskState.DONE in states
    assert Task.objects.filter(on_time=True).count() > Task.objects.filter(on_time=False).count()
    open_now = Task.objects.filter(state__in=[TaskState.OPEN, TaskState.IN_PROGRESS, TaskState.SUBMITTED])
    assert open_now.exists()
    midnight = NOW.replace(hour=0, minute=0)
    assert not TaskEvent.objects.filter(at__gte=midnight).exists()
    assert not Meeting.objects.filter(held_at__gte=midnight).exists()
    assert TaskEvent.objects.filter(action="progress", photos__isnull=False).exists()
    assert all(m.decisions.count() == m.tasks.count() for m in Meeting.objects.all())


def test_one_seed_gives_one_history(small_street: None) -> None:
    add_tasklists(seed=2, weeks=3, now=NOW)
    first = history()
    for model in (TaskEvent, Task, Meeting, TaskCounter):
        model.objects.all().delete()
    add_tasklists(seed=2, weeks=3, now=NOW)
    assert history() == first
    assert first[1]
