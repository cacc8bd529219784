"""The scene of the mock assessment tests: the cast's street under a catalog version of its own in
force, with two sampled point types (农贸市场, sample 2 of 3 points; 主次干道, sample 1 of 2), a third type
the street has no point of, their assessment items and penalties, and two street inspectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from chuangcheng.assessment import services
from chuangcheng.assessment.models import Round, RoundPoint
from chuangcheng.inspections.services.submit import ItemInput
from chuangcheng.org.models import Role, Unit, User
from chuangcheng.places.models import Point
from chuangcheng.standards.models import AssessmentItem, CatalogVersion, CheckItem, PointType
from tests import factories as f


@dataclass
class Scene:
    cast: Any
    catalog: CatalogVersion
    market: PointType
    road: PointType
    school: PointType
    inspector_1: User
    inspector_2: User
    items: dict[str, CheckItem] = field(default_factory=dict)
    markets: list[Point] = field(default_factory=list)
    roads: list[Point] = field(default_factory=list)

    def draw(self, seed: int = 7, by: Any = None) -> Round:
        return services.draw_round(self.cast.street, by=by or self.cast.street_admin, seed=seed,
                                   team=[self.inspector_1, self.inspector_2], title="年终模拟测评")


@pytest.fixture
def scene(cast: Any, media: Any) -> Scene:
    catalog = f.CatalogVersionFactory(title="测评目录")
    market = f.PointTypeFactory(code="T_MARKET", name="农贸市场", sort_order=1)
    road = f.PointTypeFactory(code="T_ROAD", name="主次干道", sort_order=2)
    school = f.PointTypeFactory(code="T_SCHOOL", name="学校周边", sort_order=3)
    for point_type, sample in ((market, 2), (road, 1), (school, 1)):
        f.TypeProfileFactory(version=catalog, point_type=point_type, sample_size=sample)
    items = {
        "M1": f.CheckItemFactory(version=catalog, code="M1", group=None, point_type=market, text="摊位划行归市",
                                 penalty=Decimal("2")),
        "M2": f.CheckItemFactory(version=catalog, code="M2", group=None, point_type=market, text="地面无垃圾",
                                 measure=CheckItem.Measure.OCCURRENCES, deduction=Decimal("0.5"),
                                 penalty=Decimal("1")),
        "M3": f.CheckItemFactory(version=catalog, code="M3", group=None, point_type=market, text="公益广告",
                                 penalty=None),
        "R1": f.CheckItemFactory(version=catalog, code="R1", group=None, point_type=road, text="无占道经营",
                                 penalty=Decimal("3")),
        "S1": f.CheckItemFactory(version=catalog, code="S1", group=None, point_type=school, text="周边无网吧",
                                 penalty=Decimal("2")),
    }
    f.AssessmentItemFactory(version=catalog, code="A-MARKET", name="农贸市场环境", point_type=market,
                            points=Decimal("10"), sort_order=1)
    f.AssessmentItemFactory(version=catalog, code="A-ROAD", name="主次干道秩序", point_type=road,
                            points=Decimal("5"), sort_order=2)
    f.AssessmentItemFactory(version=catalog, code="A-SCHOOL", name="学校周边环境", point_type=school,
                            points=Decimal("5"), sort_order=3)
    f.AssessmentItemFactory(version=catalog, code="A-DOCS", name="工作台账", method=AssessmentItem.Method.MATERIALS,
                            point_type=None, points=Decimal("8"), sort_order=4)
    unit = f.UnitFactory(code="MKT-U", name="甲市场管理处", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    scene = Scene(
        cast=cast, catalog=catalog, market=market, road=road, school=school, items=items,
        inspector_1=f.UserFactory(username="inspector_1", role=Role.INSPECTOR, scope=cast.street),
        inspector_2=f.UserFactory(username="inspector_2", role=Role.INSPECTOR, scope=cast.street),
    )
    for i in range(3):
        scene.markets.append(f.PointFactory(code=f"MKT-{i + 1}", name=f"市场{i + 1}", point_type=market,
                                            grid=cast.grid_a, primary_unit=unit,
                                            lon=Decimal(f"{111.649 + i * 0.001:.6f}"), lat=Decimal("40.820000")))
    for i in range(2):
        scene.roads.append(f.PointFactory(code=f"RD-{i + 1}", name=f"道路{i + 1}", point_type=road, grid=cast.grid_b,
                                          lon=Decimal(f"{111.699 + i * 0.001:.6f}"), lat=Decimal("40.820000")))
    return scene


def answers(point: Point, scene: Scene, fail: dict[str, dict[str, Any]] | None = None) -> list[ItemInput]:
    """Every item of the point's type passing, but those in `fail` (code → changes)."""
    out = []
    for item in CheckItem.objects.filter(version=scene.catalog, point_type=point.point_type).order_by("code"):
        change = (fail or {}).get(item.code)
        count = 0 if item.measure == CheckItem.Measure.OCCURRENCES else None
        if change is None:
            out.append(ItemInput(item_code=item.code, result="pass", count=count))
        else:
            out.append(ItemInput(item_code=item.code, **{"result": "fail", **change}))
    return out


def record(rp: RoundPoint, scene: Scene, fail: dict[str, dict[str, Any]] | None = None, by: Any = None) -> Any:
    inspection, _created = services.record_point(
        rp, by=by or rp.assessor, key=f"mock-{rp.round.number}-{rp.position:03d}", items=answers(rp.point, scene, fail),
        lon=str(rp.point.lon), lat=str(rp.point.lat))
    return inspection


TODAY = dt.date(2026, 12, 3)
