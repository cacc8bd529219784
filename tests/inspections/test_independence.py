"""Who checked: every inspection says whether it was a community's self-check or an independent
check (the street office, another community's cross-check, the district, a covert visit), set at
submission from the inspector's scope, through the service, the page form and the API; cross-checks
planned between communities, rotating day by day; a cross-checker reaching the one point of their
visit and nothing else of that community; and the data migration that fills the old rows."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from chuangcheng.cases import services as case_services
from chuangcheng.cases.models import Case, Category
from chuangcheng.cases.queries import cases_visible_to
from chuangcheng.inspections import planning
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, PlanRules
from chuangcheng.inspections.queries.records import (
    LedgerFilter,
    checklist_of,
    filter_inspections,
    inspections_visible_to,
)
from chuangcheng.inspections.services.plans import make_plan, save_rules
from chuangcheng.inspections.services.submit import ItemInput, submit_inspection
from chuangcheng.org.models import Role, User
from chuangcheng.org.services import create_api_token
from chuangcheng.places.models import Point
from chuangcheng.places.queries import point_for
from chuangcheng.standards.models import PointType
from tests import factories as f

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
DAY = MONDAY.date()


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(cast: Any) -> dict[str, User]:
    district = cast.district
    return {
        "grid_worker_a": cast.grid_worker_a,
        "admin_a": cast.admin_a,
        "street_admin": cast.street_admin,
        "inspector": f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street),
        "district_inspector": f.UserFactory(username="district_inspector", role=Role.INSPECTOR, scope=district),
        "grid_worker_b": f.UserFactory(username="grid_worker_b", role=Role.GRID_WORKER, scope=cast.grid_b),
    }


@pytest.fixture
def compound(cast: Any) -> Point:
    return f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a,
                          point_type=PointType.objects.get(code="COMPOUND"),
                          lon=Decimal("111.650000"), lat=Decimal("40.820000"))


def passing(point: Point) -> list[ItemInput]:
    out = []
    for item in checklist_of(point):
        count = int(item.threshold) if item.measure in {"count", "rate"} and item.threshold is not None else None
        out.append(ItemInput(item.code, "pass", count=0 if item.measure == "occurrences" else count))
    return out


def submit(user: User, point: Point, key: str, **kw: Any) -> Inspection:
    inspection, _created = submit_inspection(by=user, point=point, key=key, items=passing(point), **kw)
    return inspection


def cross_visit(cast: Any, person: User, point: Point, day: dt.date = DAY) -> Assignment:
    plan, _ = DailyPlan.objects.get_or_create(street=cast.street, day=day)
    return Assignment.objects.create(plan=plan, person=person, point=point, reason=Assignment.Reason.CROSS)


# --- kind at submission --------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "kind"), [
    ("grid_worker_a", "self"), ("admin_a", "self"), ("inspector", "street"), ("street_admin", "street"),
    ("district_inspector", "district"),
])
def test_who_checked_follows_the_inspectors_scope(people, compound, who, kind):
    inspection = submit(people[who], compound, f"kind-{who}")
    assert inspection.kind == kind
    assert inspection.independent == (kind != "self")


def test_a_covert_visit_is_declared_by_a_street_or_district_inspector(people, compound):
    assert submit(people["inspector"], compound, "covert-street", covert=True).kind == "covert"
    assert submit(people["district_inspector"], compound, "covert-district", covert=True).kind == "covert"


def test_a_grid_worker_cannot_declare_a_covert_visit_and_nothing_is_stored(people, compound):
    with pytest.raises(ValidationError) as info:
        submit(people["grid_worker_a"], compound, "covert-grid", covert=True)
    assert "covert" in info.value.message_dict
    assert Inspection.objects.count() == 0


def test_a_cross_check_visit_of_the_day_makes_a_cross_check(cast, people, compound):
    worker_b = people["grid_worker_b"]
    with pytest.raises(PermissionDenied):  # no cross-check planned: outside their grid
        submit(worker_b, compound, "cross-none")
    cross_visit(cast, worker_b, compound)
    inspection = submit(worker_b, compound, "cross-0001")
    assert inspection.kind == "cross" and inspection.assignment is not None


def test_yesterdays_cross_check_does_not_open_the_point_today(cast, people, compound):
    cross_visit(cast, people["grid_worker_b"], compound, DAY - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        submit(people["grid_worker_b"], compound, "cross-late")


def test_a_cross_checker_sees_their_own_inspection_and_nothing_else_of_that_community(cast, people, compound):
    worker_b = people["grid_worker_b"]
    other = f.PointFactory(code="A-OTHER", name="甲另一点位", grid=cast.grid_a)
    own_check = submit(people["grid_worker_a"], compound, "self-0001")
    cross_visit(cast, worker_b, compound)
    mine = submit(worker_b, compound, "cross-0002")
    case_services.report_case(by=cast.admin_a, source="staff", category=Category.objects.get(code="XC01"),
                              description="甲社区的小广告", point=other)
    visible = set(inspections_visible_to(worker_b).values_list("key", flat=True))
    assert mine.key in visible and own_check.key not in visible
    assert point_for(worker_b, compound.code) is None and point_for(worker_b, other.code) is None
    assert Case.objects.filter(point=other).exists()
    assert not cases_visible_to(worker_b).filter(point=other).exists()
    with pytest.raises(PermissionDenied):
        submit(worker_b, other, "cross-other")  # only the point of the visit


# --- the page form and the API -------------------------------------------------------------------


def page_form(point: Point, key: str, **extra: str) -> dict[str, str]:
    data = {"key": key, "lon": "111.650100", "lat": "40.820100", "started_at": MONDAY.isoformat(), "note": ""}
    for item in checklist_of(point):
        data[f"result_{item.code}"] = "pass"
        if item.measure in {"count", "rate"}:
            data[f"count_{item.code}"] = str(int(item.threshold))
        elif item.measure == "occurrences":
            data[f"count_{item.code}"] = "0"
    data.update(extra)
    return data


def test_the_page_form_offers_covert_to_an_inspector_and_records_it(as_user, people, compound):
    client = as_user(people["inspector"])
    assert 'name="covert"' in client.get(f"/inspections/points/{compound.code}/").content.decode()
    response = client.post(f"/inspections/points/{compound.code}/", page_form(compound, "page-covert", covert="1"))
    assert response.status_code == 302
    inspection = Inspection.objects.get(key="page-covert")
    assert inspection.kind == "covert"
    detail = client.get(f"/inspections/{inspection.key}/").content.decode()
    assert "暗访" in detail


def test_the_page_form_refuses_covert_from_a_grid_worker_with_the_reason(as_user, people, compound):
    client = as_user(people["grid_worker_a"])
    assert 'name="covert"' not in client.get(f"/inspections/points/{compound.code}/").content.decode()
    response = client.post(f"/inspections/points/{compound.code}/", page_form(compound, "page-covert-gw",
                                                                               covert="1"))
    assert response.status_code == 400
    assert "暗访" in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_cross_checker_opens_the_form_of_their_cross_check_point(as_user, cast, people, compound):
    client = as_user(people["grid_worker_b"])
    assert client.get(f"/inspections/points/{compound.code}/").status_code == 404
    cross_visit(cast, people["grid_worker_b"], compound)
    assert client.get(f"/inspections/points/{compound.code}/").status_code == 200
    response = client.post(f"/inspections/points/{compound.code}/", page_form(compound, "page-cross"))
    assert response.status_code == 302
    assert Inspection.objects.get(key="page-cross").kind == "cross"
    assert client.get("/inspections/page-cross/").status_code == 200


def api_form(point: Point, key: str, **extra: Any) -> dict[str, Any]:
    items = []
    for item in checklist_of(point):
        row: dict[str, Any] = {"item": item.code, "result": "pass"}
        if item.measure in {"count", "rate"}:
            row["count"] = int(item.threshold)
        items.append(row)
    return {"point": point.code, "key": key, "lon": "111.6501", "lat": "40.8201",
            "started_at": "2026-11-23T09:40:00+08:00", "items": json.dumps(items), **extra}


def api(user: User) -> tuple[Client, dict[str, str]]:
    _token, key = create_api_token(user, name="手机")
    return Client(raise_request_exception=False), {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_api_says_who_checked_and_takes_covert_from_an_inspector_only(people, compound):
    client, headers = api(people["inspector"])
    body = client.post("/api/inspections", api_form(compound, "api-covert", covert="true"), **headers).json()
    assert (body["kind"], body["independent"]) == ("covert", True)
    assert client.get("/api/inspections/api-covert", **headers).json()["kind"] == "covert"
    client, headers = api(people["grid_worker_a"])
    refused = client.post("/api/inspections", api_form(compound, "api-covert-gw", covert="true"), **headers)
    assert refused.status_code == 400 and "covert" in json.dumps(refused.json())
    body = client.post("/api/inspections", api_form(compound, "api-self"), **headers).json()
    assert (body["kind"], body["independent"]) == ("self", False)


# --- the records ---------------------------------------------------------------------------------


def test_the_records_filter_by_who_checked_and_the_ledger_exports_it(as_user, people, compound, cast):
    submit(people["grid_worker_a"], compound, "rec-self")
    submit(people["inspector"], compound, "rec-street")
    base = {"since": "2026-11-01", "until": "2026-11-30"}
    user = cast.street_admin
    keys = lambda kind: set(filter_inspections(user, LedgerFilter.from_params({**base, "kind": kind}))  # noqa: E731
                            .values_list("key", flat=True))
    assert keys("self") == {"rec-self"}
    assert keys("independent") == keys("street") == {"rec-street"}
    assert keys("nonsense") == {"rec-self", "rec-street"}
    page = as_user(user).get("/inspections/history/", {**base, "kind": "independent"}).content.decode()
    assert "街道检查" in page and "自查" not in page.split("<tbody>")[1]
    from openpyxl import load_workbook

    workbook = as_user(user).get("/inspections/ledger.xlsx", base)
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    header = [c.value for c in sheet[2]]
    column = header.index("检查方式")
    assert {row[column].value for row in sheet.iter_rows(min_row=3)} == {"街道检查", "自查"}


# --- cross-check planning ------------------------------------------------------------------------


def _world(communities: int = 4, points_each: int = 6) -> tuple[list[planning.PlanPoint], list[planning.PlanPerson],
                                                                 dict[int, int]]:
    points, people, community_of_grid = [], [], {}
    for c in range(communities):
        for g in range(2):
            grid = c * 10 + g
            community_of_grid[grid] = c
            people.append(planning.PlanPerson(id=grid, grid_ids=frozenset({grid})))
            for n in range(points_each // 2):
                points.append(planning.PlanPoint(id=grid * 100 + n, lon=111.6 + c * 0.01 + n * 0.001,
                                                 lat=40.8 + g * 0.001, grid_id=grid))
    people.append(planning.PlanPerson(id=999))  # a street inspector: never a cross-checker
    return points, people, community_of_grid


def test_each_community_cross_checks_the_asked_number_of_another_communitys_points():
    points, people, community_of_grid = _world()
    grid_of = {p.id: p.grid_id for p in points}
    for offset in range(6):
        day = DAY + dt.timedelta(days=offset)
        found = planning.cross_checks(day, points, people, per_day=2, community_of_grid=community_of_grid,
                                      every_n_days=3)
        assert 999 not in found
        per_community: dict[int, int] = {}
        checked: dict[int, set[int]] = {}
        for person_id, pids in found.items():
            home = community_of_grid[person_id]
            per_community[home] = per_community.get(home, 0) + len(pids)
            targets = {community_of_grid[grid_of[pid]] for pid in pids}
            assert home not in targets
            checked.setdefault(home, set()).update(targets)
        assert per_community == {0: 2, 1: 2, 2: 2, 3: 2}
        assert all(len(t) == 1 for t in checked.values())  # one neighbour a day …
        assert len({next(iter(t)) for t in checked.values()}) == 4  # … and every community checked once


def test_the_pairing_rotates_from_day_to_day_and_is_deterministic():
    points, people, community_of_grid = _world()
    grid_of = {p.id: p.grid_id for p in points}

    def pairing(day: dt.date) -> dict[int, int]:
        found = planning.cross_checks(day, points, people, per_day=1, community_of_grid=community_of_grid,
                                      every_n_days=3)
        return {community_of_grid[person]: community_of_grid[grid_of[pids[0]]] for person, pids in found.items()}

    days = [DAY + dt.timedelta(days=n) for n in range(3)]
    pairings = [pairing(day) for day in days]
    assert pairings == [pairing(day) for day in days]
    assert {pairings[n][0] for n in range(3)} == {1, 2, 3}  # community 0 checks each of the others in turn
    assert planning.cross_checks(DAY, points, people, per_day=0, community_of_grid=community_of_grid,
                                 every_n_days=3) == {}


def test_a_cross_checked_point_is_not_planned_twice_and_counts_on_top_of_the_day():
    points, people, community_of_grid = _world()
    day_plan = planning.plan(DAY, points, people, every_n_days=3, max_per_person=6, cross_checks_per_day=1,
                             community_of_grid=community_of_grid)
    visits = [pid for mine in day_plan.visits.values() for pid, _reason in mine]
    assert len(visits) == len(set(visits))
    cross = [(person, pid) for person, mine in day_plan.visits.items() for pid, reason in mine if reason == "cross"]
    assert len(cross) == 4


def test_the_morning_plan_gives_grid_workers_cross_checks_and_the_board_shows_them(as_user, cast, people,
                                                                                    compound):
    f.PointFactory(code="B-ROAD", name="乙大街", grid=cast.grid_b, lon=Decimal("111.700"), lat=Decimal("40.820"))
    rules, changed = save_rules(cast.street, by=cast.street_admin, cross_checks_per_day=1)
    assert changed and PlanRules.objects.get(street=cast.street).cross_checks_per_day == 1
    plan = make_plan(cast.street, DAY)
    cross = {(a.person.username, a.point.code) for a in plan.assignments.filter(reason="cross")}
    assert cross == {("grid_worker_a", "B-ROAD"), ("grid_worker_b", "A-COMPOUND")}
    board = as_user(cast.street_admin).get("/inspections/board/", {"date": DAY.isoformat()}).content.decode()
    assert "交叉检查" in board


def test_the_rules_page_edits_the_cross_checks_and_refuses_a_bad_number(as_user, cast):
    client = as_user(cast.street_admin)
    page = client.get("/inspections/rules/").content.decode()
    assert 'name="cross_checks_per_day"' in page
    data = {"every_n_days": 3, "max_points_per_person": 12, "distance_limit_m": 300, "grace_hours": 2,
            "plan_at": "06:30"}
    bad = client.post("/inspections/rules/", {**data, "cross_checks_per_day": 99})
    assert bad.status_code == 400 and not PlanRules.objects.filter(cross_checks_per_day=99).exists()
    client.post("/inspections/rules/", {**data, "cross_checks_per_day": 2})
    assert PlanRules.objects.get(street=cast.street).cross_checks_per_day == 2


# --- the data migration --------------------------------------------------------------------------


def test_the_data_migration_says_who_checked_the_stored_inspections(cast, people, compound):
    worker_b = people["grid_worker_b"]
    cross_visit(cast, worker_b, compound)
    rows = {who: submit(people[who], compound, f"old-{who}") for who in
            ("grid_worker_a", "inspector", "district_inspector", "grid_worker_b")}
    operator = f.UserFactory(username="operator", is_superuser=True, scope=None)
    rows["operator"] = submit(operator, compound, "old-operator")
    Inspection.objects.update(kind="self")  # as they were before the field existed
    migration = importlib.import_module("chuangcheng.inspections.migrations.0006_independence_fill_kind")
    migration.fill(apps, None)
    kinds = dict(Inspection.objects.values_list("key", "kind"))
    assert kinds == {"old-grid_worker_a": "self", "old-inspector": "street", "old-district_inspector": "district",
                     "old-grid_worker_b": "cross", "old-operator": "district"}


def test_a_cross_checkers_failure_opens_a_case_the_system_reports_in_their_name(cast, people, compound):
    worker_b = people["grid_worker_b"]
    cross_visit(cast, worker_b, compound)
    items = [ItemInput(i.item_code, "fail", count=2, photos=[jpeg()]) if i.item_code == "ENV-2" else i
             for i in passing(compound)]
    inspection, _created = submit_inspection(by=worker_b, point=compound, key="cross-fail", items=items)
    case = inspection.results.get(item__code="ENV-2").case
    assert case is not None and case.reported_by is None and case.category.code == "XC01"
    assert worker_b.display_name in case.description and "ENV-2" not in case.description
    assert not cases_visible_to(worker_b).filter(pk=case.pk).exists()  # found it, does not follow it


def jpeg() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), "red").save(out, "JPEG")
    return SimpleUploadedFile("red.jpg", out.getvalue(), content_type="image/jpeg")
