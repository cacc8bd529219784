from __future__ import annotations

from decimal import Decimal

import pytest

from chuangcheng.core.models import AuditEvent
from chuangcheng.imports import run_import
from chuangcheng.places.models import Point
from tests.imports.conftest import World, filled, point_rows


def test_a_filled_template_of_500_points_imports_with_units_and_people(world: World) -> None:
    calls: list[tuple[str, int, int]] = []
    result = run_import("points", filled("points", point_rows(500)), by=world.cast.street_admin,
                        progress=lambda label, done, total: calls.append((label, done, total)))
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (500, 0, 0)
    assert Point.objects.count() == 500
    points = Point.objects.prefetch_related("cooperating_units", "responsible_people").select_related(
        "grid", "primary_unit", "point_type")
    for point in points:
        n = int(point.code.split("-")[1])
        if n % 2 == 0:
            assert point.grid == world.cast.grid_a and point.primary_unit == world.unit_a
            assert [u.code for u in point.cooperating_units.all()] == ["U-STREET"]
            assert sorted(p.code for p in point.responsible_people.all()) == ["P-A-1", "P-A-2"]
        else:
            assert point.grid == world.cast.grid_b and point.primary_unit == world.unit_b
            assert list(point.cooperating_units.all()) == []
            assert [p.code for p in point.responsible_people.all()] == ["P-B-1"]
        assert point.zero_loss == (n % 10 == 0)
    assert Point.objects.get(code="PT-00000").lon == Decimal("111.648500")
    assert calls and calls[-1][1] == calls[-1][2] == 500


def test_three_bad_rows_import_nothing_and_are_listed(world: World) -> None:
    rows = point_rows(500)
    rows[9][4] = "东经111度"  # Excel row 11: not a number
    rows[199][2] = "NO_SUCH_TYPE"  # row 201: unknown type
    rows[399][4], rows[399][5] = 111.660, 40.830  # row 401: outside grid A's boundary
    events = AuditEvent.objects.count()

    result = run_import("points", filled("points", rows), by=world.cast.street_admin)

    assert [(e.row, e.column) for e in result.errors] == [(11, "经度"), (201, "类型编码"), (401, "经度")]
    assert all(e.message for e in result.errors)
    assert not result.imported
    assert Point.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    data = filled("points", point_rows(500))
    run_import("points", data, by=world.cast.street_admin)
    events = AuditEvent.objects.count()

    again = run_import("points", data, by=world.cast.street_admin)

    assert again.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 500)
    assert AuditEvent.objects.count() == events


def test_a_changed_row_is_updated_and_an_emptied_list_is_cleared(world: World) -> None:
    rows = point_rows(2)
    run_import("points", filled("points", rows), by=None)
    rows[0][1], rows[0][8] = "新名称", ""
    result = run_import("points", filled("points", rows), by=None)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    point = Point.objects.get(code="PT-00000")
    assert point.name == "新名称" and list(point.cooperating_units.all()) == []


def test_a_community_admin_cannot_import_a_point_in_another_community(world: World) -> None:
    rows = point_rows(2)  # row 2 in grid A, row 3 in grid B
    rows[1][7], rows[1][9] = "U-STREET", ""  # a unit they can see; only the grid is out of scope

    result = run_import("points", filled("points", rows), by=world.cast.admin_a)

    assert [(e.row, e.column) for e in result.errors] == [(3, "网格编码")]
    assert Point.objects.count() == 0


def test_a_community_admin_may_not_name_units_or_people_of_another_community(world: World) -> None:
    rows = point_rows(1)
    rows[0][7], rows[0][9] = "U-B", "P-B-1"
    result = run_import("points", filled("points", rows), by=world.cast.admin_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "主责单位编码"), (2, "包点责任人编码")]


@pytest.mark.parametrize(
    ("column", "value", "header"),
    [
        (0, "", "编码"),
        (3, "150103001001", "网格编码"),  # a community, not a grid
        (4, 2.35, "经度"),  # outside China
        (7, "U-NONE", "主责单位编码"),
        (8, "U-A,U-NONE", "协同单位编码"),
        (9, "P-NONE", "包点责任人编码"),
        (10, "也许", "零失分点位"),
    ],
)
def test_each_kind_of_bad_cell_is_reported_on_its_column(world: World, column: int, value: object,
                                                         header: str) -> None:
    rows = point_rows(1)
    rows[0][column] = value
    result = run_import("points", filled("points", rows), by=None)
    assert [(e.row, e.column) for e in result.errors] == [(2, header)]


def test_a_code_twice_in_the_file_is_an_error_on_the_second_row(world: World) -> None:
    rows = point_rows(3)
    rows[2][0] = rows[0][0]
    result = run_import("points", filled("points", rows), by=None)
    assert [(e.row, e.column) for e in result.errors] == [(4, "编码")]
    assert "2" in result.errors[0].message


def test_a_dry_run_counts_but_writes_nothing(world: World) -> None:
    result = run_import("points", filled("points", point_rows(5)), by=None, dry_run=True)
    assert result.ok and not result.imported
    assert result.created == 5
    assert Point.objects.count() == 0
