"""The demo subdistrict, built once for the package (conftest.py) and read by each test inside its
own rolled-back transaction."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape
from shapely.ops import unary_union

from chuangcheng.core.models import AuditEvent
from chuangcheng.core.validators import CHINESE_MOBILE
from chuangcheng.demo.generator import DemoResult, build_demo
from chuangcheng.demo.plan import DISTRICT_LOGIN
from chuangcheng.org.models import Person, Region, Role, Unit, User
from chuangcheng.places.models import Point
from chuangcheng.standards.models import PointType
from tests.demo.support import snapshot
from tests.demo_db import DEMO_PASSWORD as PASSWORD

Kind = Unit.Kind


@pytest.fixture
def street(demo: DemoResult, db: None) -> Region:
    return Region.objects.get(code="150103001")


def _shape(region: Region) -> Any:
    return shape(json.loads(region.boundary))


def test_it_builds_guangminglu_street_of_huimin_district(demo: DemoResult, street: Region) -> None:
    assert demo.created and demo.street_name == "光明路街道" == street.name
    assert street.parent is not None and (street.parent.code, street.parent.name) == ("150103", "回民区")
    assert street.contains(111.65, 40.82)


def test_it_has_eight_communities_of_five_grids(street: Region) -> None:
    communities = Region.objects.filter(parent=street)
    assert communities.count() == 8
    assert all(c.level == Region.Level.COMMUNITY and c.name.endswith("社区") for c in communities)
    grids = Region.objects.filter(level=Region.Level.GRID, path__startswith=street.path)
    assert 35 <= grids.count() <= 45
    assert all(Region.objects.filter(parent=c).count() == 5 for c in communities)
    assert all("社区第" in g.name and g.name.endswith("网格") for g in grids)


def test_communities_tile_the_street_and_grids_tile_their_community(street: Region) -> None:
    communities = list(Region.objects.filter(parent=street))
    shapes = [_shape(c) for c in communities]
    assert unary_union(shapes).symmetric_difference(_shape(street)).area < 1e-12
    assert abs(sum(s.area for s in shapes) - _shape(street).area) < 1e-12  # no overlaps
    for community in communities:
        grids = [_shape(g) for g in Region.objects.filter(parent=community)]
        assert unary_union(grids).symmetric_difference(_shape(community)).area < 1e-12, community.name
        assert abs(sum(g.area for g in grids) - _shape(community).area) < 1e-12, community.name


def test_households_and_residents_add_up(street: Region) -> None:
    for region in [street, *Region.objects.filter(parent=street)]:
        children = list(Region.objects.filter(parent=region))
        assert region.households == sum(c.households or 0 for c in children) > 0
        assert region.population == sum(c.population or 0 for c in children) > region.households


def test_it_registers_about_150_points_over_every_catalog_type(street: Region) -> None:
    points = Point.objects.within(street)
    assert 140 <= points.count() <= 160
    used = set(points.values_list("point_type__code", flat=True))
    assert used == set(PointType.objects.values_list("code", flat=True))
    zero_loss = points.filter(zero_loss=True).count()
    assert 0.07 * points.count() <= zero_loss <= 0.13 * points.count()
    assert len(set(points.values_list("name", flat=True))) == points.count()


def test_every_point_lies_inside_its_grid(street: Region) -> None:
    for point in Point.objects.select_related("grid"):
        assert point.grid.level == Region.Level.GRID
        assert _shape(point.grid).contains(ShapelyPoint(float(point.lon), float(point.lat))), point.code


def test_each_point_has_a_fitting_primary_unit_and_one_or_two_people(street: Region) -> None:
    expected = {"MARKET": Kind.MARKET_SUPERVISION, "CROSSING": Kind.TRAFFIC_POLICE, "COMPOUND": Kind.PROPERTY,
                "ROAD_MAIN": Kind.CITY_MANAGEMENT, "TOILET": Kind.SANITATION, "SCHOOL": Kind.SCHOOL}
    points = Point.objects.select_related("point_type", "grid", "primary_unit__region").prefetch_related(
        "responsible_people", "cooperating_units")
    for point in points:
        unit = point.primary_unit
        if point.point_type.code in expected:
            assert unit.kind == expected[point.point_type.code], point.name
        if unit.region.level == Region.Level.COMMUNITY:
            assert point.grid.parent_id == unit.region_id, point.name  # a community's unit stays at home
        assert 1 <= len(point.responsible_people.all()) <= 2
        assert unit not in point.cooperating_units.all()
        assert point.name and point.address


def test_it_has_the_units_a_street_works_with(street: Region) -> None:
    at_street = Counter(Unit.objects.filter(region=street).values_list("kind", flat=True))
    for kind in (Kind.CITY_MANAGEMENT, Kind.MARKET_SUPERVISION, Kind.TRAFFIC_POLICE, Kind.SANITATION):
        assert at_street[kind] == 1, kind
    assert at_street[Kind.LIAISON] >= 3
    for community in Region.objects.filter(parent=street):
        kinds = Counter(Unit.objects.filter(region=community).values_list("kind", flat=True))
        assert kinds[Kind.PARTY_BRANCH] == kinds[Kind.COMMUNITY] == kinds[Kind.OWNERS_COMMITTEE] == 1
        assert 1 <= kinds[Kind.PROPERTY] <= 2
    assert Unit.objects.filter(kind=Kind.SCHOOL).exists()
    assert not Unit.objects.filter(head_name="").exists()
    assert not Unit.objects.filter(liaison_name="").exists()


def test_every_role_has_a_login_with_a_scope_and_a_person(demo: DemoResult, street: Region) -> None:
    users = list(User.objects.select_related("scope", "person__unit"))
    assert {user.role for user in users} == set(Role.values)
    scope_level = {Role.STREET_ADMIN: Region.Level.STREET, Role.LEADER: Region.Level.STREET,
                   Role.INSPECTOR: Region.Level.STREET, Role.UNIT_HANDLER: Region.Level.STREET,
                   Role.COMMUNITY_ADMIN: Region.Level.COMMUNITY, Role.VOLUNTEER: Region.Level.COMMUNITY,
                   Role.GRID_WORKER: Region.Level.GRID}
    [district] = [user for user in users if user.username == DISTRICT_LOGIN]
    assert district.role == Role.STREET_ADMIN and district.scope == street.parent and district.person is not None
    users = [user for user in users if user != district]
    for user in users:
        assert user.scope is not None and user.scope.is_within(street), user.username
        assert user.scope.level == scope_level[user.role], user.username
        assert user.person is not None, user.username
        assert user.username.startswith(user.role)
    handlers = [user for user in users if user.role == Role.UNIT_HANDLER]
    assert all(user.person is not None and user.person.unit is not None for user in handlers)
    assert {f"community_admin_{n}" for n in range(1, 9)} <= {user.username for user in users}
    grid_workers = [user for user in users if user.role == Role.GRID_WORKER]
    assert len(grid_workers) == Region.objects.filter(level=Region.Level.GRID).count()
    assert sorted(username for username, _label in demo.accounts) == sorted(
        [user.username for user in users] + [DISTRICT_LOGIN])
    assert [username for username, _label in demo.accounts[:3]] == ["street_admin", "leader", "inspector_1"]
    assert dict(demo.accounts)["grid_worker_1"].endswith("社区第1网格")


def test_phone_numbers_are_valid_and_each_belongs_to_one_person(street: Region) -> None:
    owner: dict[str, set[str]] = defaultdict(set)
    for name, phone in Person.objects.values_list("name", "phone"):
        owner[phone].add(name)
    for unit in Unit.objects.all():
        owner[unit.head_phone].add(unit.head_name)
        owner[unit.liaison_phone].add(unit.liaison_name)
    assert all(CHINESE_MOBILE.match(phone) for phone in owner)
    assert all(len(names) == 1 for names in owner.values())
    assert Person.objects.filter(party_member=True).exists() and Person.objects.filter(volunteer=True).exists()


def test_every_demo_account_shares_the_given_password(demo: DemoResult, street: Region) -> None:
    assert demo.password == PASSWORD
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    assert User.objects.get(username="street_admin").check_password(PASSWORD)


def test_it_writes_as_the_system_through_the_audited_services(street: Region) -> None:
    events = AuditEvent.objects.filter(object_type="places.point", action=AuditEvent.Action.CREATE)
    assert events.count() == Point.objects.count()
    assert set(events.values_list("actor_name", flat=True)) == {"system"}


def test_it_reports_progress_stage_by_stage(demo: DemoResult, street: Region) -> None:
    stages = demo.stages  # type: ignore[attr-defined]
    finished = [label for label, done, total in stages if done == total]
    assert len(finished) >= 5 and len(set(finished)) == len(finished)
    assert len(stages) < 150  # about ten steps a stage, not one per row


def test_a_second_build_changes_nothing(demo: DemoResult, street: Region) -> None:
    before, events = snapshot(), AuditEvent.objects.count()
    hashes = dict(User.objects.values_list("username", "password"))

    again = build_demo(seed=1)

    assert not again.created and again.password == ""
    assert again.accounts == demo.accounts
    assert snapshot() == before and AuditEvent.objects.count() == events
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_a_second_build_with_a_password_sets_it_on_every_demo_account(street: Region) -> None:
    before = snapshot()

    again = build_demo(seed=1, password="another password")

    assert not again.created and again.password == "another password"
    assert snapshot() == before
    assert len(set(User.objects.values_list("password", flat=True))) == 1
    assert User.objects.get(username="grid_worker_1").check_password("another password")


def test_the_demo_command_prints_the_accounts(demo: DemoResult, street: Region) -> None:
    out = io.StringIO()

    call_command("demo", no_serve=True, password=PASSWORD, stdout=out)

    text = out.getvalue()
    assert PASSWORD in text
    for username, _label in demo.accounts:
        assert f"  {username} " in text
