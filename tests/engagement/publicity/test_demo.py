"""The demo's publicity, on a small subdistrict of its own (not the whole demo): pushes delivered
to loopback robots with their history times, items at points (some below the catalog's number),
household visits by the grid workers; deterministic per seed, nothing at or after midnight."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chuangcheng.core import clock
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.publicity import add_publicity
from chuangcheng.engagement.publicity import queries
from chuangcheng.engagement.publicity.models import DeliveryState, HouseholdVisit, OfflineItem, Push, PushDelivery
from chuangcheng.notify.models import Message, Webhook
from chuangcheng.org.models import Role, User
from chuangcheng.standards.models import PointType
from tests import factories as f

NOW = clock.local(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def small_street(db: None, media: Any) -> None:
    street = f.street(code=STREET_CODE, name="演示街道")
    f.UserFactory(username="street_admin", role=Role.STREET_ADMIN, scope=street)
    bus = PointType.objects.get(code="BUS_STOP")  # from the default catalog in force
    for c in range(2):
        community = f.community(street, code=f"{STREET_CODE}00{c + 1}", name=f"演示社区{c + 1}")
        f.UserFactory(username=f"community_admin_{c + 1}", role=Role.COMMUNITY_ADMIN, scope=community)
        for g in range(3):
            grid = f.grid(community, code=f"{community.code}-0{g + 1}", name=f"网格{c + 1}-{g + 1}", households=300)
            f.UserFactory(username=f"grid_worker_{c * 3 + g + 1}", role=Role.GRID_WORKER, scope=grid)
            for p in range(3):
                f.PointFactory(code=f"BUS-{c}{g}{p}", point_type=bus, grid=grid)


def _snapshot() -> dict[str, list[Any]]:
    return {
        "pushes": list(Push.objects.order_by("number").values_list("number", "title", "scope__code",
                                                                   "author__username", "created_at")),
        "deliveries": sorted((d.push.number, d.grid.code, d.group_name, d.state)
                             for d in PushDelivery.objects.select_related("push", "grid", "message")),
        "items": list(OfflineItem.objects.order_by("code").values_list(
            "code", "point__code", "kind", "theme", "count", "put_up_on", "taken_down_on", "photo__sha256")),
        "visits": list(HouseholdVisit.objects.order_by("day", "grid__code", "household", "id").values_list(
            "day", "grid__code", "household", "visitor__username", "result", "topics")),
    }


def _wipe() -> None:
    PushDelivery.objects.all().delete()
    Push.objects.all().delete()
    Message.objects.all().delete()
    OfflineItem.objects.all().delete()
    HouseholdVisit.objects.all().delete()


def test_the_demo_publicity_is_played_through_the_services_and_repeats_per_seed(small_street: None) -> None:
    made = add_publicity(seed=2, weeks=3, now=NOW)
    assert made == Push.objects.count() + OfflineItem.objects.count() + HouseholdVisit.objects.count()
    assert Push.objects.count() >= 6 and HouseholdVisit.objects.count() > 50
    states = set(d.state for d in PushDelivery.objects.select_related("message"))
    assert {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.NO_GROUP} <= states
    failed = PushDelivery.objects.select_related("message").filter(message__status="failed").first()
    assert failed is not None and "93000" in failed.message.last_error
    # Sent at the time of the push, in history, through the loopback robots only.
    assert all(m.sent_at is None or m.sent_at < NOW.replace(hour=0) for m in Message.objects.all())
    assert all(w.url.startswith("http://127.0.0.1:") for w in Webhook.objects.all())
    midnight = NOW.replace(hour=0, minute=0)
    assert not Push.objects.filter(created_at__gte=midnight).exists()
    assert not OfflineItem.objects.filter(put_up_on__gte=midnight.date()).exists()
    assert not HouseholdVisit.objects.filter(day__gte=midnight.date()).exists()
    assert set(HouseholdVisit.objects.values_list("visitor__username", flat=True)) <= {
        f"grid_worker_{n}" for n in range(1, 7)}
    rows = queries.point_rows(User.objects.get(username="street_admin"), queries.PointFilter(),
                              day=midnight.date() - dt.timedelta(days=1))
    assert any(r.below for r in rows) and any(r.need and not r.below for r in rows)
    first = _snapshot()
    _wipe()
    add_publicity(seed=2, weeks=3, now=NOW)
    assert _snapshot() == first


def test_without_the_demo_street_nothing_is_written(db: None) -> None:
    assert add_publicity(seed=1, weeks=1, now=NOW) == 0
