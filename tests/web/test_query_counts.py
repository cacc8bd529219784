"""The queries one request of a page makes (issue 19): the case list and detail, the residents'
tracking page, the Open311 lists and every role's home read a fixed number of queries, at most the
bound below, and the same number with three times as many rows behind them (no query per row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category, State
from chuangcheng.core import clock
from chuangcheng.engagement.volunteering import services as volunteering
from chuangcheng.inspections.models import Assignment, DailyPlan
from chuangcheng.org.models import Role, Unit, User
from chuangcheng.public import services as public
from chuangcheng.public.models import Report
from chuangcheng.reports.services.bulletins import draft_bulletin, publish_bulletin
from chuangcheng.reports.services.rollups import build_day
from tests import factories as f
from tests.cases.conftest import photo
from tests.conftest import client_for
from tests.engagement.volunteering.conftest import _volunteer, plan
from tests.public.conftest import LAT, LON

# The most queries one request may make (the session's read and its save, the user, the menu's
# figures and the page's own reads). Raise one only with a reason: a query per row is a bug.
BOUNDS = {
    "case list": 14,
    "case detail": 12,
    "tracking page": 6,
    "Open311 requests": 4,
    "Open311 services": 1,
    "home: street_admin": 29,
    "home: community_admin": 25,
    "home: grid_worker": 16,
    "home: inspector": 13,
    "home: unit_handler": 16,
    "home: leader": 18,
    "home: volunteer": 9,
}


@dataclass
class World:
    cast: Any
    unit: Unit
    handler: User
    inspector: User
    volunteer: User
    category: Category
    plan: DailyPlan
    case: Case  # the one case the detail page shows
    report: Report  # the one report the tracking page shows
    grown: int = 0


@pytest.fixture
def world(cast: Any, media: Any) -> World:
    unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    person = f.PersonFactory(code="H1", name="物业经办人", region=cast.street, unit=unit)
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street, person=person)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    volunteer = _volunteer("V1", "志愿者一", cast.community_a, party=True)
    category = Category.objects.get(code="XC01")
    point = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=unit)
    case = cases.report_case(by=cast.grid_worker_a, source="inspection", category=category,
                             description="小区门口电线杆上有小广告", point=point, photos=[photo(cast.grid_worker_a)])
    report = public.submit_report(category=category, description="路口电线杆上贴满小广告", lon=LON, lat=LAT)
    public.accept_report(report, by=cast.street_admin)
    publish_bulletin(draft_bulletin(cast.street, clock.today() - dt.timedelta(days=1)), by=cast.street_admin)
    daily = DailyPlan.objects.create(street=cast.street, day=clock.today())
    return World(cast, unit, handler, inspector, volunteer, category, daily, case, report)


def grow(world: World, n: int) -> None:
    """n more of every row the pages list: overdue cases of n more units, cases to verify, residents'
    reports (with their steps), today's visits, actions a volunteer signed up for, and n more steps
    (with photos) on the one case and the one report that the detail and tracking pages show."""
    cast, admin = world.cast, world.cast.street_admin
    for _ in range(n):
        world.grown += 1
        i = world.grown
        unit = f.UnitFactory(code=f"U-{i}", name=f"单位{i}", region=cast.community_a)
        point = f.PointFactory(code=f"P-{i}", name=f"点位{i}", grid=cast.grid_a, primary_unit=unit)
        Assignment.objects.create(plan=world.plan, person=cast.grid_worker_a, point=point, position=i,
                                  reason=Assignment.Reason.DUE)
        late = cases.report_case(by=cast.grid_worker_a, source="inspection", category=world.category,
                                 description=f"问题{i}", point=point)
        cases.accept_case(late, by=admin)
        cases.dispatch_case(late, by=admin, unit=unit if i % 2 else world.unit)
        Case.objects.filter(pk=late.pk).update(deadline=clock.now() - dt.timedelta(hours=i))
        done = cases.report_case(by=cast.grid_worker_a, source="inspection", category=world.category,
                                 description=f"待核查{i}", point=point)
        Case.objects.filter(pk=done.pk).update(state=State.RECTIFIED, rectified_at=clock.now(), unit=unit)
        resident = public.submit_report(category=world.category, description=f"市民反映{i}", lon=LON, lat=LAT,
                                        photos=[])
        if i % 2:
            public.accept_report(resident, by=admin)
        action = plan(cast, title=f"活动{i}", starts_at=clock.now() + dt.timedelta(days=i),
                      ends_at=clock.now() + dt.timedelta(days=i, hours=2))
        volunteering.sign_up(action, by=world.volunteer)
        for case in (world.case, world.report.case):
            case.refresh_from_db()
            if case.state in (State.REPORTED, State.ACCEPTED):
                if case.state == State.REPORTED:
                    cases.accept_case(case, by=admin)
                cases.dispatch_case(case, by=admin, unit=world.unit)
            else:
                cases.return_for_rework(case, by=admin, note=f"返工{i}")
            cases.rectify_case(case, by=world.handler, photos=[photo(world.handler, "green")], note=f"整改{i}")


def counted(client: Client, url: str) -> int:
    client.get(url)  # the session, the language and the caches, as a served process has them
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def pages(world: World) -> dict[str, tuple[Client, str]]:
    cast = world.cast
    anonymous = Client()
    return {
        "case list": (client_for(cast.street_admin), "/cases/"),
        "case detail": (client_for(cast.street_admin), f"/cases/{world.case.number}/"),
        "tracking page": (anonymous, f"/r/t/{world.report.code}/"),
        "Open311 requests": (anonymous, "/open311/v2/requests.json?extensions=true&page_size=100"),
        "Open311 services": (anonymous, "/open311/v2/services.json"),
        "home: street_admin": (client_for(cast.street_admin), "/"),
        "home: community_admin": (client_for(cast.admin_a), "/"),
        "home: grid_worker": (client_for(cast.grid_worker_a), "/"),
        "home: inspector": (client_for(world.inspector), "/"),
        "home: unit_handler": (client_for(world.handler), "/"),
        "home: leader": (client_for(cast.leader), "/"),
        "home: volunteer": (client_for(world.volunteer), "/"),
    }


def counts(world: World) -> dict[str, int]:
    # Yesterday's figures stored, as the nightly job does (a home reads them, it does not compute them).
    build_day(clock.today() - dt.timedelta(days=1))
    return {name: counted(client, url) for name, (client, url) in pages(world).items()}


def test_every_page_reads_at_most_its_bound_and_no_more_for_three_times_the_rows(world: World) -> None:
    grow(world, 2)
    few = counts(world)
    over = {name: n for name, n in few.items() if n > BOUNDS[name]}
    assert not over, f"more queries than the bound: {over} (bounds {BOUNDS})"
    grow(world, 4)
    many = counts(world)
    assert many == few


def test_the_rows_were_there_to_count(world: World) -> None:
    """The pages above did list the rows grown (so the equal counts mean something)."""
    grow(world, 3)
    cast = world.cast
    case_list = client_for(cast.street_admin).get("/cases/").content.decode()
    assert case_list.count('href="/cases/') >= 3 * 3
    assert client_for(cast.grid_worker_a).get("/").content.decode().count('class="visit') >= 3
    detail = client_for(cast.street_admin).get(f"/cases/{world.case.number}/").content.decode()
    assert detail.count("整改") >= 3
    requests = Client().get("/open311/v2/requests.json?page_size=100").json()
    assert len(requests) >= 1 + 3
    tracking = Client().get(f"/r/t/{world.report.code}/").content.decode()
    assert tracking.count("<li") >= 3
