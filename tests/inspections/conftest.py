"""Shared scenes for the inspections tests.

`street`: the cast's street (tests/conftest.py) with points in both communities, two street
inspectors, a grid worker in each grid and saved plan rules.

`demo`: the demo subdistrict, built once per test module that asks for it (a build takes several
seconds) and wiped after the module. Its tests must also ask for `db`: pytest-django sets up the
test database only for a run that has a test asking for it. Module scope, not package scope, because the demo and the
cast share their region codes: a module that uses the demo must not use the cast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult, PlanRules
from chuangcheng.org.models import Role, User
from chuangcheng.places.models import Point
from tests import factories as f

DAY = dt.date(2026, 6, 1)  # a Monday


@dataclass
class Street:
    cast: Any
    inspector_1: User
    inspector_2: User
    grid_worker_b: User
    rules: PlanRules
    points_a: list[Point] = field(default_factory=list)
    points_b: list[Point] = field(default_factory=list)

    @property
    def points(self) -> list[Point]:
        return [*self.points_a, *self.points_b]


def _points(grid: Any, lon: float, prefix: str, n: int, zero_loss: int) -> list[Point]:
    """n points spread over the grid (a 0.004° square), the first `zero_loss` of them zero-loss."""
    out = []
    for i in range(n):
        dx, dy = (i % 3 - 1) * 0.0012, (i // 3 - 1) * 0.0012
        out.append(f.PointFactory(code=f"{prefix}{i + 1:02d}", name=f"{prefix}点位{i + 1}", grid=grid,
                                  lon=Decimal(f"{lon + dx:.6f}"), lat=Decimal(f"{40.820 + dy:.6f}"),
                                  zero_loss=i < zero_loss))
    return out


@pytest.fixture
def street(cast: Any) -> Street:
    scene = Street(
        cast=cast,
        inspector_1=f.UserFactory(username="inspector_1", role=Role.INSPECTOR, scope=cast.street),
        inspector_2=f.UserFactory(username="inspector_2", role=Role.INSPECTOR, scope=cast.street),
        grid_worker_b=f.UserFactory(username="grid_worker_b", role=Role.GRID_WORKER, scope=cast.grid_b),
        rules=PlanRules.objects.create(street=cast.street, every_n_days=3, max_points_per_person=6),
    )
    scene.points_a = _points(cast.grid_a, 111.650, "A", 7, zero_loss=1)
    scene.points_b = _points(cast.grid_b, 111.700, "B", 7, zero_loss=1)
    return scene


def wipe_inspections() -> None:
    ItemResult.objects.all().delete()
    Inspection.objects.all().delete()
    Assignment.objects.all().delete()
    DailyPlan.objects.all().delete()
    PlanRules.objects.all().delete()
