from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from chuangcheng.core import clock
from chuangcheng.org.models import Region, Role, Unit, User
from chuangcheng.places.models import Point
from chuangcheng.problems import importing, services
from chuangcheng.problems.sheet import build_template
from tests import factories as f


def jpeg(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@dataclass
class Scene:
    cast: Any
    unit: Unit
    far_unit: Unit  # a unit of another street
    point: Point
    far_point: Point  # a point of another street
    inspector: User
    handler: User
    other_street: Region
    other_admin: User

    def header(self, **kw: Any) -> services.ListHeader:
        values: dict[str, Any] = {
            "street": self.cast.street, "reference": "区创城办〔2026〕15号", "issuer": "区创城办",
            "kind": "covert", "issued_on": clock.today() - dt.timedelta(days=2),
            "deadline": clock.today() + dt.timedelta(days=5)}
        values.update(kw)
        return services.ListHeader(**values)


@pytest.fixture
def scene(cast: Any, media: Any) -> Scene:
    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    other_street = f.street(cast.district, code="150103002", name="海拉尔路街道")
    other_community = f.community(other_street, code="150103002001", name="丙社区",
                                  boundary=f.square(111.800, 40.820, 0.01))
    other_grid = f.grid(other_community, code="150103002001-01", name="丙一网格", boundary=f.square(111.800, 40.820))
    far_unit = f.UnitFactory(code="WY-C", name="丙物业", kind=Unit.Kind.PROPERTY, region=other_community)
    point = f.PointFactory(code="A-GATE", name="甲小区门口", grid=cast.grid_a, primary_unit=unit)
    far_point = f.PointFactory(code="C-GATE", name="丙小区门口", grid=other_grid, primary_unit=far_unit,
                               lon="111.800000", lat="40.820000")
    handler_person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=handler_person)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    other_admin = f.UserFactory(username="other_admin", role=Role.STREET_ADMIN, scope=other_street)
    return Scene(cast, unit, far_unit, point, far_point, inspector, handler, other_street, other_admin)


GOOD_ROWS = [
    # 序号, 问题地点, 点位编码, 点位类型, 经度, 纬度, 所在网格, 问题描述, 问题类别, 责任单位, 照片
    [1, "甲小区门口", "A-GATE", "", "", "", "", "门口电线杆上有小广告", "宣传广告/非法小广告", "甲物业", "p1.jpg"],
    [2, "甲一网格菜市场东侧", "", "", "111.6505", "40.8201", "", "垃圾桶满溢未清运", "市容环境/暴露垃圾", "", ""],
    [3, "乙社区健身广场", "", "", "", "", "乙一网格", "广场围墙私搭乱建", "市容环境/违法建设", "甲物业",
     "p3a.jpg；p3b.jpg"],
]


def category_label_of(code: str) -> str:
    from chuangcheng.cases.models import Category
    from chuangcheng.problems.sheet import category_label

    return category_label(Category.objects.select_related("parent").get(code=code))


def workbook(rows: list[list[Any]] | None = None, street: Region | None = None) -> bytes:
    """The template filled with `rows` (the good rows by default, their categories by code)."""
    filled = [list(r) for r in (rows if rows is not None else GOOD_ROWS)]
    codes = {"宣传广告/非法小广告": "XC01", "市容环境/暴露垃圾": "SR02", "市容环境/违法建设": "SR01"}
    for row in filled:
        if row[8] in codes:
            row[8] = category_label_of(codes[row[8]])
    return build_template(street, rows=filled)


def photos_zip() -> bytes:
    return zip_of({"photos/p1.jpg": jpeg("red"), "p3a.jpg": jpeg("green"), "P3B.JPG": jpeg("blue")})


def run(scene: Scene, data: bytes | None = None, *, photos: bytes | None = None, dry_run: bool = False,
        by: Any = None, **header: Any) -> importing.ImportResult:
    return importing.import_problem_list(data if data is not None else workbook(), scene.header(**header),
                                         by=by or scene.cast.street_admin, photos_zip=photos, dry_run=dry_run)
