"""The plan the generator writes: pure, so these need no database."""

from __future__ import annotations

import random

from chuangcheng.demo import layout
from chuangcheng.demo.plan import TYPE_POINTS, TypeInfo, plan_demo

TYPES = [TypeInfo(code, code) for code in TYPE_POINTS]


def test_one_seed_gives_one_plan_and_another_seed_another() -> None:
    assert plan_demo(7, TYPES) == plan_demo(7, TYPES)
    assert plan_demo(7, TYPES).points != plan_demo(8, TYPES).points


def test_a_point_type_the_generator_does_not_know_still_gets_points_and_a_unit_of_its_kind() -> None:
    plan = plan_demo(1, [*TYPES, TypeInfo("ZOO", "动物园/水族馆", ("sanitation",))])

    zoo = [point for point in plan.points if point.type_code == "ZOO"]
    units = {unit.code: unit for unit in plan.units}
    assert len(plan.points) == 150 and zoo
    assert all(units[point.primary_unit_code].kind == "sanitation" and "动物园" in point.name for point in zoo)


def test_grids_share_their_edges_with_the_community_exactly() -> None:
    rng = random.Random(3)
    for community in layout.community_boxes(rng):
        grids = layout.grid_boxes(rng, community)
        assert len(grids) == layout.GRIDS_PER_COMMUNITY
        assert min(g.west for g in grids) == community.west and max(g.east for g in grids) == community.east
        assert min(g.south for g in grids) == community.south and max(g.north for g in grids) == community.north
        area = sum(g.width * g.height for g in grids)
        assert abs(area - community.width * community.height) < 1e-12
