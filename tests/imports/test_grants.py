"""An importer grants only what lies inside their own scope: no login for a unit registered above
them (the street's squad), no role that reaches beyond a community, no other admin's login."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from chuangcheng.imports import run_import
from chuangcheng.org import services
from chuangcheng.org.models import Person, Role, User
from tests.imports.conftest import World, filled


def zh(label: object) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_a_community_admin_may_not_mint_a_handler_for_the_streets_unit(world: World) -> None:
    cast = world.cast
    rows = [["Q1", "张三", "13700000001", "150103001001", "U-STREET", "", "", "", "zhangsan",
             zh(Role.UNIT_HANDLER.label)]]
    result = run_import("people", filled("people", rows), by=cast.admin_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "所属单位编码")]
    with translation.override("zh-hans"):
        assert "U-STREET" in str(result.errors[0].message) and "范围" in str(result.errors[0].message)
    assert not Person.objects.filter(code="Q1").exists()
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_community_admin_may_not_give_roles_that_reach_beyond_a_community(world: World) -> None:
    cast = world.cast
    rows = [
        ["Q1", "张三", "13700000001", "150103001001", "", "", "", "", "zhangsan", zh(Role.INSPECTOR.label)],
        ["Q2", "李四", "13700000002", "150103001001", "", "", "", "", "lisi", zh(Role.LEADER.label)],
        ["Q3", "王五", "13700000003", "150103001001", "U-A", "", "", "", "wangwu", zh(Role.UNIT_HANDLER.label)],
    ]
    result = run_import("people", filled("people", rows), by=cast.admin_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "角色"), (3, "角色")]
    result = run_import("people", filled("people", rows[2:]), by=cast.admin_a)
    assert result.errors == [] and User.objects.get(username="wangwu").role == Role.UNIT_HANDLER


def test_the_street_office_still_staffs_its_own_unit(world: World) -> None:
    cast = world.cast
    rows = [["Q1", "张三", "13700000001", "150103001", "U-STREET", "", "", "", "zhangsan",
             zh(Role.UNIT_HANDLER.label)],
            ["Q2", "李四", "13700000002", "150103001", "", "", "", "", "lisi", zh(Role.INSPECTOR.label)]]
    result = run_import("people", filled("people", rows), by=cast.street_admin)
    assert result.errors == [] and result.created == 2


def test_the_services_refuse_what_the_import_refuses(world: World) -> None:
    cast = world.cast
    with pytest.raises(PermissionDenied):
        services.save_person(by=cast.admin_a, code="Q1", name="张三", phone="13700000001",
                             region=cast.community_a, unit=world.street_unit)
    person = Person.objects.create(code="Q2", name="李四", phone="13700000002", region=cast.community_a,
                                   unit=world.street_unit)
    with pytest.raises(PermissionDenied):
        services.save_login(by=cast.admin_a, username="lisi", role=Role.UNIT_HANDLER, scope=cast.community_a,
                            person=person)
    with pytest.raises(PermissionDenied):
        services.save_login(by=cast.admin_a, username="x", role=Role.LEADER, scope=cast.community_a)
    # Nor does one take over a login outside one's scope by naming it.
    with pytest.raises(PermissionDenied):
        services.save_login(by=cast.admin_a, username="admin_b", role=Role.GRID_WORKER, scope=cast.grid_a)
    assert User.objects.get(username="admin_b").role == Role.COMMUNITY_ADMIN
    assert not User.objects.filter(username__in=["lisi", "x"]).exists()


def test_a_person_the_street_put_in_its_unit_gets_no_login_from_a_community_admin(world: World) -> None:
    cast = world.cast
    Person.objects.create(code="Q1", name="张三", phone="13700000001", region=cast.community_a,
                          unit=world.street_unit)
    row = ["Q1", "张三", "13700000001", "150103001001", "U-STREET", "", "", "", "", ""]
    assert run_import("people", filled("people", [row]), by=cast.admin_a).errors == []  # unchanged: fine
    row[8:10] = ["zhangsan", zh(Role.UNIT_HANDLER.label)]
    result = run_import("people", filled("people", [row]), by=cast.admin_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "所属单位编码")]
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_community_admin_does_not_change_a_login_the_street_gave(world: World) -> None:
    cast = world.cast
    person = Person.objects.create(code="Q1", name="张三", phone="13700000001", region=cast.community_a)
    User.objects.create(username="zhangsan", role=Role.INSPECTOR, scope=cast.street, person=person)
    row = ["Q1", "张三", "13700000001", "150103001001", "", "", "", "", "zhangsan", zh(Role.GRID_WORKER.label)]
    result = run_import("people", filled("people", [row]), by=cast.admin_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "登录账号")]
    assert User.objects.get(username="zhangsan").role == Role.INSPECTOR
