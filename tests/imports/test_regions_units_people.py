from __future__ import annotations

from django.utils import translation

from chuangcheng.core.models import AuditEvent
from chuangcheng.imports import run_import
from chuangcheng.org.models import Person, Region, Role, Unit, User
from tests.conftest import Cast
from tests.imports.conftest import World, filled


def zh(label: object) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_regions_whose_parents_are_in_the_same_file_import_in_any_row_order(cast: Cast) -> None:
    rows = [
        ["C3-01", "丙一网格", zh(Region.Level.GRID.label), "C3", "", "", ""],
        ["C3", "丙社区", zh(Region.Level.COMMUNITY.label), "150103001", "", 1200, 3400],
        ["C3-02", "丙二网格", "4", "C3", "", None, None],  # the code value works as well as the label
    ]
    result = run_import("regions", filled("regions", rows), by=cast.street_admin)
    assert result.errors == []
    assert result.created == 3
    community = Region.objects.get(code="C3")
    assert community.parent == cast.street and community.households == 1200
    assert Region.objects.get(code="C3-01").path == "/150103/150103001/C3/C3-01/"
    events = AuditEvent.objects.count()
    again = run_import("regions", filled("regions", rows), by=cast.street_admin)
    assert again.unchanged == 3 and AuditEvent.objects.count() == events


def test_a_region_at_the_wrong_level_or_under_an_unknown_parent_is_refused(cast: Cast) -> None:
    rows = [
        ["X1", "错层社区", zh(Region.Level.COMMUNITY.label), "150103", "", "", ""],  # under the district
        ["X2", "孤儿网格", zh(Region.Level.GRID.label), "NOWHERE", "", "", ""],
        ["X3", "无上级社区", zh(Region.Level.COMMUNITY.label), "", "", "", ""],
        ["X4", "坏边界网格", zh(Region.Level.GRID.label), "150103001001", "{not json", "-3", ""],
        ["X5", "坏层级", "省", "150103001", "", "", ""],
    ]
    result = run_import("regions", filled("regions", rows), by=None)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "上级编码"), (3, "上级编码"), (4, "上级编码"), (5, "户数"), (5, "边界GeoJSON"), (6, "层级"),
    ]
    assert not Region.objects.filter(code__startswith="X").exists()


def test_a_community_admin_adds_grids_to_their_community_but_not_to_another(cast: Cast) -> None:
    grid = zh(Region.Level.GRID.label)
    rows = [["A-02", "甲二网格", grid, "150103001001", "", "", ""],
            ["B-02", "乙二网格", grid, "150103001002", "", "", ""]]
    result = run_import("regions", filled("regions", rows), by=cast.admin_a)
    assert [(e.row, e.column) for e in result.errors] == [(3, "上级编码")]
    result = run_import("regions", filled("regions", rows[:1]), by=cast.admin_a)
    assert result.created == 1


def test_units_import_with_kind_label_or_code_and_phones_are_checked(cast: Cast) -> None:
    rows = [
        ["U1", "城管中队", zh(Unit.Kind.CITY_MANAGEMENT.label), "150103001", "王队长", "139 0000 0001", "", "",
         "光明路1号"],
        ["U2", "甲物业", "property", "150103001001", "", "+8613900000002", "李四", "", ""],
        ["U3", "坏电话", "property", "150103001001", "", "12345", "", "", ""],
        ["U4", "无区域", "property", "NOWHERE", "", "", "", "", ""],
    ]
    result = run_import("units", filled("units", rows), by=cast.street_admin)
    assert [(e.row, e.column) for e in result.errors] == [(4, "负责人手机"), (5, "所属区域编码")]
    result = run_import("units", filled("units", rows[:2]), by=cast.street_admin)
    assert result.created == 2
    assert Unit.objects.get(code="U1").head_phone == "13900000001"
    assert Unit.objects.get(code="U2").kind == Unit.Kind.PROPERTY


def test_people_import_and_get_logins_without_a_usable_password(world: World) -> None:
    cast = world.cast
    rows = [
        ["Q1", "张三", "13700000001", "150103001001-01", "U-A", "网格员", "是", "否", "zhangsan",
         zh(Role.GRID_WORKER.label)],
        ["Q2", "李四", 13700000002, "150103001001", "", "", "", "是", "", ""],
    ]
    result = run_import("people", filled("people", rows), by=cast.admin_a)
    assert result.errors == [] and result.created == 2
    person = Person.objects.get(code="Q1")
    assert person.unit == world.unit_a and person.party_member and not person.volunteer
    user = User.objects.get(username="zhangsan")
    assert user.person == person and user.role == Role.GRID_WORKER and user.scope == cast.grid_a
    assert not user.has_usable_password()
    assert Person.objects.get(code="Q2").phone == "13700000002"
    again = run_import("people", filled("people", rows), by=cast.admin_a)
    assert again.unchanged == 2


def test_people_rows_with_bad_phones_logins_or_scope_are_refused(world: World) -> None:
    cast = world.cast
    phone_of_someone = world.people_a[0].phone
    rows = [
        ["Q1", "张三", "1370000", "150103001001", "", "", "", "", "", ""],
        ["Q2", "李四", phone_of_someone, "150103001001", "", "", "", "", "", ""],
        ["Q3", "王五", "13700000003", "150103001002", "", "", "", "", "", ""],  # community B
        ["Q4", "赵六", "13700000004", "150103001001", "U-B", "", "", "", "", ""],
        ["Q5", "钱七", "13700000005", "150103001001", "", "", "", "", "qianqi", ""],
        ["Q6", "孙八", "13700000006", "150103001001", "", "", "", "", "sunba", zh(Role.STREET_ADMIN.label)],
        ["Q7", "周九", "13700000005", "150103001001", "", "", "", "", "admin_b", "community_admin"],
    ]
    result = run_import("people", filled("people", rows), by=cast.admin_a)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "手机号"), (3, "手机号"), (4, "所属区域编码"), (5, "所属单位编码"), (6, "角色"), (7, "角色"),
        (8, "手机号"), (8, "登录账号"),
    ]
    assert not Person.objects.filter(code__startswith="Q").exists()
