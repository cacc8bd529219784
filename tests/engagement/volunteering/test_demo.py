"""The demo's volunteer actions, on a small subdistrict of its own (not the whole demo): played
through the services over the weeks, deterministic per seed, nothing after today's midnight but
one upcoming planned action."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chuangcheng.core import clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.volunteering import add_volunteering
from chuangcheng.engagement.volunteering.models import Action, ActionPhoto, Attendance
from chuangcheng.org.models import Role
from tests import factories as f

NOW = clock.local(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def small_street(db: None, media: Any) -> None:
    street = f.street(code=STREET_CODE, name="演示街道")
    community = f.community(street, name="演示社区", boundary=f.square(111.65, 40.82, 0.01))
    f.grid(community, name="演示网格", boundary=f.square(111.65, 40.82, 0.004))
    f.UserFactory(username="street_admin", role=Role.STREET_ADMIN, scope=street)
    secretary = f.PersonFactory(code="P-SEC", name="书记", region=community, party_member=True)
    f.UserFactory(username="community_admin_1", role=Role.COMMUNITY_ADMIN, scope=community, person=secretary)
    for n in range(5):
        person = f.PersonFactory(code=f"P-V{n}", name=f"志愿者{n}", region=community, volunteer=True,
                                 party_member=n % 2 == 0)
        if n == 0:
            f.UserFactory(username="volunteer_1", role=Role.VOLUNTEER, scope=community, person=person)


def _summary() -> list[tuple[Any, ...]]:
    return list(Action.objects.order_by("code").values_list("code", "kind", "status", "outcome", "lon", "lat"))


def test_the_demo_actions_are_played_through_the_services(small_street: None) -> None:
    made = add_volunteering(seed=2, weeks=3, now=NOW)
    assert made == Action.objects.count() >= 7
    midnight = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    statuses = set(Action.objects.values_list("status", flat=True))
    assert Action.Status.HELD in statuses
    upcoming = Action.objects.filter(starts_at__gte=midnight)
    assert upcoming.count() == 1 and upcoming.get().status == Action.Status.PLANNED
    past = Action.objects.filter(starts_at__lt=midnight)
    assert all(a.closed_at is not None and a.closed_at < midnight for a in past)
    assert not Attendance.objects.filter(checked_in_at__gte=midnight).exists()
    assert not AuditEvent.objects.filter(at__gte=midnight).exclude(object_key=upcoming.get().code).exists()
    held = past.filter(status=Action.Status.HELD)
    assert all(a.outcome and a.photos.count() == 2 for a in held)
    assert ActionPhoto.objects.filter(stage="before").count() == held.count()
    attended = Attendance.objects.filter(checked_in_at__isnull=False)
    assert attended.exists() and all(0 < a.hours <= 2.5 for a in attended if a.hours is not None)
    assert attended.filter(user__username="volunteer_1").exists()
    assert all(a.checkin_distance_m <= 150 for a in attended)
    assert add_volunteering(seed=2, weeks=3, now=NOW) == 0  # once only


def test_one_seed_gives_the_same_actions(small_street: None) -> None:
    add_volunteering(seed=5, weeks=2, now=NOW)
    first = _summary()
    Attendance.objects.all().delete()
    ActionPhoto.objects.all().delete()
    Action.objects.all().delete()
    add_volunteering(seed=5, weeks=2, now=NOW)
    assert _summary() == first
