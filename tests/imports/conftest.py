"""What the import tests share: a filled template, and a world of types, units and people on
top of the cast (district → street → communities A and B → one grid each)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook

from chuangcheng.imports import build_template
from chuangcheng.org.models import Person, Unit
from chuangcheng.standards.models import PointType
from tests import factories as f
from tests.conftest import Cast


def filled(kind: str, rows: list[list[Any]]) -> bytes:
    """The app's own template for `kind` with `rows` typed into its data sheet."""
    workbook = load_workbook(io.BytesIO(build_template(kind)))
    sheet = workbook["数据"]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class World:
    cast: Cast
    road: PointType
    market: PointType
    street_unit: Unit
    unit_a: Unit
    unit_b: Unit
    people_a: list[Person]
    person_b: Person


@pytest.fixture
def world(cast: Cast) -> World:
    return World(
        cast=cast,
        road=f.PointTypeFactory(code="ROAD_MAIN", name="主次干道"),
        market=f.PointTypeFactory(code="MARKET", name="农贸市场"),
        street_unit=f.UnitFactory(code="U-STREET", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT,
                                  region=cast.street),
        unit_a=f.UnitFactory(code="U-A", name="甲物业", region=cast.community_a),
        unit_b=f.UnitFactory(code="U-B", name="乙物业", region=cast.community_b),
        people_a=[f.PersonFactory(code=f"P-A-{n}", region=cast.community_a) for n in range(1, 4)],
        person_b=f.PersonFactory(code="P-B-1", region=cast.community_b),
    )


def point_rows(count: int, *, prefix: str = "PT") -> list[list[Any]]:
    """`count` good point rows, alternating between grid A and grid B, inside their boundaries."""
    rows = []
    for n in range(count):
        in_a = n % 2 == 0
        lon = (111.650 if in_a else 111.700) + (n % 30 - 15) / 10000
        lat = 40.820 + (n % 17 - 8) / 10000
        rows.append([
            f"{prefix}-{n:05d}", f"点位{n}", "ROAD_MAIN" if n % 3 else "MARKET",
            "150103001001-01" if in_a else "150103001002-01", round(lon, 6), round(lat, 6), f"光明路{n}号",
            "U-A" if in_a else "U-B", "U-STREET" if in_a else "", "P-A-1,P-A-2" if in_a else "P-B-1",
            "是" if n % 10 == 0 else "否", "",
        ])
    return rows
