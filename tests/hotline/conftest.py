"""The cast of tests/conftest.py plus a unit with its handler, a handler of another unit, a point in
乙社区, and helpers to receive work orders. Grids: around (111.650, 40.820) in 甲社区 and
(111.700, 40.820) in 乙社区."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from chuangcheng.cases.models import Category
from chuangcheng.core import clock
from chuangcheng.hotline import services
from chuangcheng.hotline.models import OrderSource, WorkOrder
from chuangcheng.org.models import Role, Unit, User
from chuangcheng.places.models import Point
from tests import factories as f


@dataclass
class Scene:
    cast: Any
    unit: Unit
    handler: User
    other_handler: User
    category: Category
    point: Point


@pytest.fixture
def scene(cast: Any, media: Any) -> Scene:
    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    other = f.UnitFactory(code="WY-B", name="乙物业", kind=Unit.Kind.PROPERTY, region=cast.community_b)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street,
                            person=f.PersonFactory(code="H1", name="甲经办", region=cast.street, unit=unit))
    other_handler = f.UserFactory(username="other_handler", role=Role.UNIT_HANDLER, scope=cast.street,
                                  person=f.PersonFactory(code="H2", name="乙经办", region=cast.street, unit=other))
    point = f.PointFactory(code="P-B-1", name="乙社区菜市场", address="乙街18号", grid=cast.grid_b,
                           lon=Decimal("111.700000"), lat=Decimal("40.820000"), primary_unit=other)
    return Scene(cast, unit, handler, other_handler, Category.objects.get(code="XC01"), point)


def incoming(number: str = "GD202612030001", **kw: Any) -> services.Incoming:
    values: dict[str, Any] = {"number": number, "request": "小区门口垃圾堆放多日无人清理", "received_at": clock.now(),
                              "caller_name": "张三丰", "caller_phone": "13812345678", "category_text": "暴露垃圾",
                              "address": "甲街1号"}
    values.update(kw)
    return services.Incoming(**values)


def receive(scene: Scene, number: str = "GD202612030001", *, source: str = OrderSource.EXCEL,
            **kw: Any) -> WorkOrder:
    order, _outcome = services.receive_order(incoming(number, **kw), street=scene.cast.street, source=source,
                                             source_system="12345", source_key=number)
    return order


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of December 2026 (or late November for day > 20), Beijing time."""
    month = 11 if day > 20 else 12
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))
