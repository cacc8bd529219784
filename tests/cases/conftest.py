from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from chuangcheng.cases import services
from chuangcheng.cases.models import Case, Category
from chuangcheng.org.models import Role, Unit, User
from tests import factories as f


@dataclass
class Scene:
    cast: Any
    unit: Unit
    other_unit: Unit
    handler: User
    inspector: User
    point: Any
    category: Category


def jpeg(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


def photo(by: Any, color: str = "red") -> Any:
    from chuangcheng.evidence.services import accept_photo

    return accept_photo(jpeg(color), filename=f"{color}.jpg", by=by)


@pytest.fixture
def scene(cast: Any) -> Scene:
    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    other = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    handler_person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=handler_person)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    point = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=unit)
    category = Category.objects.get(code="XC01")  # 非法小广告, 1 working day
    return Scene(cast, unit, other, handler, inspector, point, category)


def reported(scene: Scene, **kw: Any) -> Case:
    return services.report_case(by=scene.cast.grid_worker_a, source="inspection", category=scene.category,
                                description="小区门口电线杆上有小广告", point=scene.point, **kw)


def dispatched(scene: Scene) -> Case:
    case = reported(scene)
    services.accept_case(case, by=scene.cast.street_admin)
    services.dispatch_case(case, by=scene.cast.street_admin, unit=scene.unit)
    return case
