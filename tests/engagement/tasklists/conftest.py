"""The task lists' scene: the cast's street with a property company of community A (a handler
with a login), the street's city-management squad (a handler too), a point in grid A, and
time pinned to a Wednesday morning (2026-11-25, 09:00 local)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from PIL import Image

from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.models import Task
from chuangcheng.org.models import Role, Unit, User
from tests import factories as f

CST = dt.timezone(dt.timedelta(hours=8))
WEDNESDAY = dt.datetime(2026, 11, 25, 9, 0, tzinfo=CST)


@dataclass
class Scene:
    cast: Any
    property_a: Unit
    squad: Unit
    handler_a: User
    squad_handler: User
    point_a: Any


def jpeg(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


def photo(by: Any, color: str = "red") -> Any:
    from chuangcheng.evidence.services import accept_photo

    return accept_photo(jpeg(color), filename=f"{color}.jpg", by=by)


@pytest.fixture
def wednesday() -> Iterator[Any]:
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scene(cast: Any, media: Any, wednesday: Any) -> Scene:
    property_a = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    squad = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    person_a = f.PersonFactory(code="H-A", name="物业经办人", region=cast.street, unit=property_a)
    person_cg = f.PersonFactory(code="H-CG", name="城管经办人", region=cast.street, unit=squad)
    handler_a = f.UserFactory(username="handler_a", role=Role.UNIT_HANDLER, scope=cast.street, person=person_a)
    squad_handler = f.UserFactory(username="squad_handler", role=Role.UNIT_HANDLER, scope=cast.street,
                                  person=person_cg)
    point_a = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=property_a)
    return Scene(cast, property_a, squad, handler_a, squad_handler, point_a)


def a_task(scene: Scene, **kw: Any) -> Task:
    values: dict[str, Any] = {
        "by": scene.cast.street_admin, "street": scene.cast.street, "title": "清理甲小区楼道堆物",
        "unit": scene.property_a, "due_on": dt.date(2026, 11, 27), "regions": [scene.cast.community_a],
    }
    values.update(kw)
    return services.create_task(**values)
